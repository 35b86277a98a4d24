"""`obsgen impact` and the bad-input errors, through the real command line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import PURCHASE_SPEC
from tests.impact.helpers import DRILL_FOUND, SEED_MAP, check_mermaid, obsgen, position_of, svg_nodes

pytestmark = pytest.mark.integration  # every test runs the obsgen command line in a process


@pytest.mark.parametrize("dependency", ["database", "rabbitmq", "celery-worker", "payment_gateway"])
def test_impact_answers_for_every_dependency(dependency):
    result = obsgen("impact", "specs/purchase.yaml", dependency, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data["dependencies"]) == [dependency]
    entry = data["dependencies"][dependency]
    if dependency in SEED_MAP:
        assert sorted(entry["features"]) == sorted(SEED_MAP[dependency] + DRILL_FOUND[dependency])
    assert entry["alerts"]["cause"]["severities"] == ["page"]


def test_text_answer_reads_as_an_incident_note():
    result = obsgen("impact", "specs/purchase.yaml", "database")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("PostgreSQL (database, postgresql) fails:\n")
    assert "    browse (Product browsing, feature product_browse): directly\n" in text
    assert "  features: product_browse, checkout, order_processing, email_notifications, order_history\n" in text
    assert "cause (pages): PurchaseDatabaseDown" in text
    assert "HighCheckoutErrorRate (page, error-rate): stage checkout" in text
    assert "    revenue (Revenue by payment method, stage checkout)\n" in text


def test_without_a_name_every_dependency_is_listed():
    result = obsgen("impact", "specs/purchase.yaml", "--format", "yaml")
    assert result.returncode == 0, result.stderr
    assert list(yaml.safe_load(result.stdout)["dependencies"]) == ["database", "rabbitmq", "celery-worker", "payment_gateway"]


def test_pictures_from_the_command_line_are_valid():
    chart = obsgen("impact", "specs/purchase.yaml", "rabbitmq", "--format", "mermaid")
    assert chart.returncode == 0 and check_mermaid(chart.stdout) == []
    assert ":::failed" in chart.stdout
    graph = obsgen("impact", "specs/purchase.yaml", "--format", "dot")
    svg = subprocess.run(["dot", "-Tsvg"], input=graph.stdout, capture_output=True, text=True)
    assert svg.returncode == 0, svg.stderr
    assert {"s0", "d0", "f0"} <= set(svg_nodes(svg.stdout))


def test_unknown_dependency_lists_the_known_ones_and_exits_2():
    result = obsgen("impact", "specs/purchase.yaml", "redis")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip() == ("obsgen: unknown dependency 'redis' in journey 'purchase'; "
                                     "dependencies are: database, rabbitmq, celery-worker, payment_gateway")


def test_unknown_format_is_a_usage_error():
    result = obsgen("impact", "specs/purchase.yaml", "--format", "png")
    assert result.returncode == 2 and "'png' is not one of" in result.stderr


# -- bad input: positions, exit code 2, nothing written -----------------------------------------


def broken_spec(tmp_path: Path, old: str, new: str) -> tuple[Path, str]:
    text = PURCHASE_SPEC.read_text()
    assert text.count(old) == 1, old
    text = text.replace(old, new)
    path = tmp_path / "specs" / "purchase.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path, text


def assert_rejected(tmp_path: Path, spec: Path, expected: list[str]) -> None:
    """Both commands refuse the spec with exactly these diagnostics, exit 2, and write nothing."""
    for args in (("impact", "specs/purchase.yaml"), ("build", "specs/purchase.yaml")):
        result = obsgen(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        lines = result.stderr.splitlines()
        assert lines[:-1] == expected, args
        assert lines[-1] == f"obsgen: {len(expected)} problem(s) in the spec; nothing was written"
        assert result.stdout == ""
    assert not (tmp_path / "generated").exists()


def test_dependency_cycle_names_its_path(tmp_path):
    anchor = "      stages: [checkout, order_processing, email]\n    - name: celery-worker"
    spec, text = broken_spec(tmp_path, anchor, anchor.replace(
        "      stages: [checkout, order_processing, email]\n",
        "      stages: [checkout, order_processing, email]\n      dependsOn: [celery-worker]\n"))
    line, column = position_of(text, "dependsOn: [celery-worker]", len("dependsOn: "))
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: dependency cycle: rabbitmq -> celery-worker -> rabbitmq"])


def test_longer_cycle_through_three_dependencies(tmp_path):
    old = "      stages: [checkout]\n      features: [refunds]\n"
    spec, text = broken_spec(tmp_path, old, old + "      dependsOn: [celery-worker]\n")
    text = text.replace("      health: {profile: postgresql, match: {job: postgres}}\n",
                        "      health: {profile: postgresql, match: {job: postgres}}\n      dependsOn: [payment_gateway]\n")
    text = text.replace("      dependsOn: [rabbitmq]\n", "      dependsOn: [database]\n")
    spec.write_text(text)
    line, column = position_of(text, "dependsOn: [payment_gateway]", len("dependsOn: "))
    assert_rejected(tmp_path, spec, [
        f"specs/purchase.yaml:{line}:{column}: dependency cycle: database -> payment_gateway -> celery-worker -> database"])


def test_dependency_that_needs_itself(tmp_path):
    spec, text = broken_spec(tmp_path, "      dependsOn: [rabbitmq]\n", "      dependsOn: [celery-worker]\n")
    line, column = position_of(text, "dependsOn: [celery-worker]", len("dependsOn: "))
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: dependency cycle: celery-worker -> celery-worker"])


def test_dependency_used_by_an_unknown_stage(tmp_path):
    spec, text = broken_spec(tmp_path, "      stages: [checkout]\n      features: [refunds]",
                             "      stages: [checkout, shipping]\n      features: [refunds]")
    line, column = position_of(text, "shipping]")
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: unknown stage 'shipping'; "
                                     "stages are: browse, checkout, order_processing, email"])


def test_dependency_needing_an_unknown_dependency(tmp_path):
    spec, text = broken_spec(tmp_path, "      dependsOn: [rabbitmq]\n", "      dependsOn: [redis]\n")
    line, column = position_of(text, "redis]")
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: unknown dependency 'redis'; "
                                     "dependencies are: database, rabbitmq, celery-worker, payment_gateway"])


def test_dependency_without_a_health_signal(tmp_path):
    spec, text = broken_spec(tmp_path, "      health: {profile: scrape, match: {job: payment-gateway}}",
                             "      health: {match: {job: payment-gateway}}")
    line, column = position_of(text, "{match: {job: payment-gateway}}")
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: dependency 'payment_gateway' has no "
                                     "health signal: give health.profile, health.metric or health.heartbeat"])


def test_dependency_with_no_health_key_at_all(tmp_path):
    spec, text = broken_spec(tmp_path, "      health: {profile: scrape, match: {job: payment-gateway}}\n", "")
    line, column = position_of(text, "name: payment_gateway")
    assert_rejected(tmp_path, spec, [f"specs/purchase.yaml:{line}:{column}: spec.dependencies[3]: missing required key 'health'"])


def test_every_dependency_problem_is_reported_at_once(tmp_path):
    spec, text = broken_spec(tmp_path, "      stages: [checkout]\n      features: [refunds]",
                             "      stages: [shipping]\n      features: [refunds]")
    text = text.replace("      health: {profile: scrape, match: {job: payment-gateway}}", "      health: {}")
    text = text.replace("      dependsOn: [rabbitmq]\n", "      dependsOn: [celery-worker]\n")
    spec.write_text(text)
    cycle = position_of(text, "dependsOn: [celery-worker]", len("dependsOn: "))
    health = position_of(text, "health: {}", len("health: "))
    stage = position_of(text, "shipping]")
    assert_rejected(tmp_path, spec, [
        f"specs/purchase.yaml:{cycle[0]}:{cycle[1]}: dependency cycle: celery-worker -> celery-worker",
        f"specs/purchase.yaml:{health[0]}:{health[1]}: dependency 'payment_gateway' has no health signal: "
        "give health.profile, health.metric or health.heartbeat",
        f"specs/purchase.yaml:{stage[0]}:{stage[1]}: unknown stage 'shipping'; stages are: browse, checkout, "
        "order_processing, email",
    ])


def test_the_output_is_the_same_bytes_with_and_without_graphviz(tmp_path):
    """obsgen draws the SVG itself: a machine without Graphviz (or with another version) builds the same files."""
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "purchase.yaml").write_text(PURCHASE_SPEC.read_text())
    no_dot = tmp_path / "bin"
    no_dot.mkdir()
    assert shutil.which("dot") and not shutil.which("dot", path=str(no_dot))
    outputs = {}
    for name, path in (("with", os.environ["PATH"]), ("without", str(no_dot))):
        env = {**os.environ, "PATH": path}
        env.pop("OBSGEN_DOT", None)
        result = subprocess.run([sys.executable, "-m", "obsgen", "build", "specs/purchase.yaml", "-o", name,
                                 "--no-validate"], cwd=tmp_path, capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr
        outputs[name] = {p.relative_to(tmp_path / name): p.read_bytes()
                         for p in sorted((tmp_path / name).rglob("*")) if p.is_file()}
    assert Path("purchase/impact/impact.svg") in outputs["with"]
    assert outputs["with"] == outputs["without"]
