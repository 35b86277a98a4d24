"""spec.by on the dashboard: a variable per dimension, every query narrowed by it, legends naming the value.
Proven with promtool: with cluster a selected, every panel query returns data, and only cluster a's."""

from __future__ import annotations

import pytest
import yaml

from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.artifacts.prometheus import rule_groups
from obsgen.build.load import parse_journey
from obsgen.tools import promtool
from tests.dashboards.conftest import panels, substitute, variable_choices
from tests.rules.test_dimensions import SPEC, _series, _two_clusters


@pytest.fixture(scope="module")
def journey():
    return parse_journey(SPEC, "shop.yaml")


@pytest.fixture(scope="module")
def dashboard(journey):
    return build_dashboard(journey)


def _targets(dashboard: dict) -> list[tuple[str, dict]]:
    return [(p["title"], t) for p in panels(dashboard) for t in p.get("targets", []) if "expr" in t]


def test_a_multi_select_variable_per_dimension_right_after_the_data_sources(dashboard):
    variables = dashboard["templating"]["list"]
    kinds = [v["type"] for v in variables]
    cluster = variables[kinds.count("datasource")]
    assert cluster["name"] == "cluster" and cluster["type"] == "query"
    assert cluster["multi"] and cluster["includeAll"]
    assert cluster["query"]["query"] == 'label_values(journey_stage:requests:rate5m{journey="shop"}, cluster)'
    assert cluster["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_every_query_but_the_constant_slo_lines_is_narrowed_and_its_legend_names_the_cluster(dashboard):
    found = _targets(dashboard)
    assert len(found) > 30
    for title, target in found:
        expr, legend = target["expr"], target["legendFormat"]
        if 'cluster=~"$cluster"' not in expr:
            # The constant SLO lines, and the burn-down's ideal line drawn from the objective's timestamp.
            assert expr.startswith(("slo:objective:ratio", "slo:burn_rate_threshold:ratio",
                                    "(timestamp(slo:objective:ratio")), (title, expr)
        elif not target["exemplar"]:
            assert "{{cluster}}" in legend, (title, legend)


def test_overrides_still_find_the_series_they_style(dashboard):
    for panel in panels(dashboard):
        legends = [t.get("legendFormat", "") for t in panel.get("targets", [])]
        for override in panel.get("fieldConfig", {}).get("overrides", []):
            if override["matcher"]["id"] == "byRegexp":
                import re
                assert any(re.match(override["matcher"]["options"], legend.replace("{{cluster}}", "a"))
                           for legend in legends), (panel["title"], override)


@pytest.mark.integration
def test_with_cluster_a_selected_every_query_returns_cluster_a_only(journey, dashboard, tmp_path):
    rules = tmp_path / "recording.rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [g.as_dict() for g in rule_groups(journey)
                                                if g.file == "recording.rules.yaml"]}, sort_keys=False))
    series = _two_clusters() + [_series("orders_total", {"cluster": c, "payment_method": "card"}, "0+10x60")
                                for c in ("a", "b")]
    choices = {**variable_choices(dashboard), "cluster": ["a"]}
    cases = []
    for title, target in _targets(dashboard):
        expr = substitute(target["expr"], choices)
        # group by (cluster): one sample per cluster the query returns; none of them may be b
        labels = "{cluster=\"a\"}" if "{{cluster}}" in target["legendFormat"] else "{}"
        cases.append({"expr": f"group by (cluster) ({expr})", "eval_time": "25m",
                      "exp_samples": [{"labels": labels, "value": 1}]})
    test_file = tmp_path / "dashboard.test.yaml"
    test_file.write_text(yaml.safe_dump({"rule_files": [rules.name], "evaluation_interval": "1m", "tests": [
        # samples every 30s, so the $__rate_interval of 1m holds two of them on every Prometheus generation
        {"interval": "30s", "input_series": series, "promql_expr_test": cases}]}, sort_keys=False))
    result = promtool.test_rules([test_file])
    assert result.passed, "\n".join(f.text for f in result.failures[:5])


@pytest.mark.integration
def test_the_dashboard_passes_obsgen_lint(dashboard, tmp_path):
    from obsgen.lint import lint_paths
    from obsgen.render import dump_json

    path = tmp_path / "shop.json"
    path.write_text(dump_json(dashboard))
    report = lint_paths([str(path)])
    assert report.errors == ()
    # notes (a metric type the lint cannot know without a spec or a Prometheus) are not problems
    assert [(f.check, f.json_path, f.message) for f in report.findings if f.severity != "note"] == []


def test_the_dashboard_matches_grafana_schema(dashboard_checker, dashboard):
    assert dashboard_checker.problems(dashboard) == []
