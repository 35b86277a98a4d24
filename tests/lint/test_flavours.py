"""PrometheusRule manifests, Mimir/Cortex and Thanos rule files: found by content, linted with positions kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from obsgen import targets
from obsgen.build import pipeline
from obsgen.build.load import load_journey
from obsgen.lint import lint_paths, render
from obsgen.lint.declared import journey_types
from obsgen.lint.flavours import MIMIR, PROMETHEUS_OPERATOR, THANOS, promtool_body
from obsgen.lint.rulefile import load_rule_file
from tests.lint.helpers import fixture

EXAMPLES = Path(__file__).resolve().parents[2] / "specs" / "examples"
FLAVOURS = {
    "rules/flavours/prometheusrule.yaml": [PROMETHEUS_OPERATOR, PROMETHEUS_OPERATOR],
    "rules/flavours/mimir-namespace.yaml": [MIMIR],
    "rules/flavours/mimir-namespaces.yaml": [MIMIR, MIMIR],
    "rules/flavours/thanos.yaml": [THANOS],
}


def _rule_file(name):
    path = fixture(name)
    return load_rule_file(path, Path(path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(FLAVOURS))
def test_each_flavour_is_recognised_with_rules_at_their_own_lines(name):
    rule_file = _rule_file(name)
    assert [g.flavour for g in rule_file.group_lists] == FLAVOURS[name]
    assert not rule_file.is_plain
    for rule in rule_file.rules:  # the model's positions point at the rule names in the user's file
        assert rule_file.source_lines[rule.pos.line - 1].lstrip(" -").startswith(f"{rule.kind}: {rule.name}")


@pytest.mark.parametrize("name", sorted(FLAVOURS))
def test_promtool_copy_keeps_every_rule_line_and_drops_the_wrapper(name):
    rule_file = _rule_file(name)
    for group_list in rule_file.group_lists:
        body = promtool_body(rule_file.source_lines, group_list).split("\n")
        assert len(body) == len(rule_file.source_lines)
        first, last = group_list.groups.start_mark.line, group_list.groups.end_mark.line
        inside = [r for r in rule_file.rules if first < r.pos.line <= last + 1]
        assert inside
        for rule in inside:
            line = rule.pos.line - 1
            assert body[line] == rule_file.source_lines[line].rstrip()
        wrapper = ("apiVersion", "kind", "metadata", "namespace:", "source_tenants", "evaluation_delay",
                   "partial_response_strategy", "- team-")
        assert not any(text.strip().startswith(wrapper) for text in body)


def _lint_one(name):
    report = lint_paths([fixture(name)], disabled=["rules/duplicate"])
    assert report.errors == ()
    return [(f.line, f.col, f.check) for f in report.findings]


@pytest.mark.integration
def test_prometheusrule_manifest_is_checked_by_promtool_at_the_users_line():
    assert _lint_one("rules/flavours/prometheusrule.yaml") == [
        (18, 14, "alerts/for"),  # no 'for:' on EtcdNoLeader in the first PrometheusRule
        (28, None, "promtool/rules"),  # 'labelz' where the user wrote it, not in a copy
    ]


@pytest.mark.integration
def test_mimir_files_keep_source_tenants_and_namespaces_apart():
    # source_tenants is the ruler's, not an error; the group name repeated inside one namespace is.
    assert _lint_one("rules/flavours/mimir-namespace.yaml") == [(10, 68, "promql/syntax"), (11, 3, "promtool/rules")]
    # The same group name in two namespaces is fine; the broken expression is found in the second.
    assert _lint_one("rules/flavours/mimir-namespaces.yaml") == [(11, 52, "promql/syntax")]


@pytest.mark.integration
def test_thanos_partial_response_strategy_is_accepted_and_the_rest_checked():
    assert _lint_one("rules/flavours/thanos.yaml") == [(14, None, "promtool/rules")]


@pytest.mark.integration
@pytest.mark.parametrize("target", ["prometheus-operator", "mimir", "thanos"])
def test_obsgens_own_target_output_is_lint_clean(tmp_path, target):
    """Rules obsgen delivers for each engine pass its own lint, read in that engine's format."""
    journey = load_journey(EXAMPLES / "etcd-kv.yaml")
    artifacts = targets.emit(journey, pipeline.emit_all(journey), [target])
    rule_files = [a for a in artifacts if "/dashboards/" not in a.path]
    assert rule_files
    for artifact in rule_files:
        (tmp_path / artifact.path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / artifact.path).write_text(artifact.content, encoding="utf-8")
    paths = [str(tmp_path / a.path) for a in rule_files]
    report = lint_paths(paths, metric_types=journey_types([journey]))
    assert report.errors == ()
    assert {load_rule_file(p, Path(p).read_text()).group_lists[0].flavour for p in paths} == {target}
    assert sum(1 for p in paths for _ in load_rule_file(p, Path(p).read_text()).rules) > 10
    assert report.exit_code == 0, render(report.all_findings(), "text")
