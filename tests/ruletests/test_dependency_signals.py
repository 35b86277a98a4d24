"""Rule tests for every kind of dependency signal (tests/ruletests/dependency_signals.yaml): each new
alert is proven to fire and to stay quiet by the real promtool, and a wrong expression is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from obsgen.build import pipeline
from obsgen.cli import main

SPEC = Path(__file__).parent / "dependency_signals.yaml"
# Every dependency alert and the plans whose subject it is: each way its signal can go wrong.
DEPENDENCY_ALERTS = {
    "OrdersKafkaDown": ["health below its healthy range", "health series disappears"],
    "OrdersKafkaBacklogHigh": ["backlog above the threshold"],
    "OrdersClockDown": ["health below its healthy range", "health above its healthy range", "health series disappears"],
    "OrdersMailerDown": ["heartbeat stops", "health series disappears"],
    "OrdersDbDown": ["health reports 0", "health series disappears"],
    "OrdersDbConnectionsHigh": ["saturation above the threshold"],
    "OrdersDbLockWaitsHigh": ["saturation above the threshold"],
    "OrdersDbLockWaitsPredictedHigh": ["backlog growing linearly"],
}

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A full build: promtool check, lint, amtool and the generated promtool tests all pass."""
    out = tmp_path_factory.mktemp("signals")
    pipeline.build(SPEC, out)
    return out


def _scenarios(built: Path) -> list[dict]:
    return yaml.safe_load((built / "orders" / "tests" / "orders.tests.yaml").read_text())["tests"]


def test_every_way_a_dependency_signal_goes_wrong_fires_its_alert(built: Path):
    """The subjects of a scenario are named in it as '<alert> [severity]'; each must be asserted firing
    there, and every alert asserted quiet in the healthy baseline."""
    subjects: dict[str, set[str]] = {}
    quiet: set[str] = set()
    for group in _scenarios(built):
        plan = group["name"].split(":")[0]
        fired = {c["alertname"] for c in group.get("alert_rule_test") or [] if c["exp_alerts"]}
        for alert in DEPENDENCY_ALERTS:
            if f"{alert} [" in group["name"]:
                assert alert in fired, (alert, group["name"])
                subjects.setdefault(alert, set()).add(plan)
        if plan == "healthy baseline":
            quiet = {c["alertname"] for c in group["alert_rule_test"] if not c["exp_alerts"]}
    assert {alert: sorted(plans) for alert, plans in subjects.items()} == \
        {alert: sorted(plans) for alert, plans in DEPENDENCY_ALERTS.items()}
    assert set(DEPENDENCY_ALERTS) <= quiet


def _broken(built: Path, tmp_path: Path, old: str, new: str) -> Path:
    out = tmp_path / "generated"
    (out / "orders").mkdir(parents=True)
    for path in (built / "orders").rglob("*"):
        target = out / "orders" / path.relative_to(built / "orders")
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.write_bytes(path.read_bytes())
    rules = out / "orders" / "prometheus" / "alerts.rules.yaml"
    text = rules.read_text()
    assert text.count(old) == 1, old
    rules.write_text(text.replace(old, new))
    return out


@pytest.mark.parametrize("old, new, alert", [
    ('kafka_brokers{job="kafka-exporter"} >= bool 3', 'kafka_brokers{job="kafka-exporter"} >= bool 0', "OrdersKafkaDown"),
    ('<= bool 0.05', '<= bool 5', "OrdersClockDown"),
    ("[5m]) > bool 0", "[5m]) > bool 100", "OrdersMailerDown"),
    ('sum(db_connections_max{job="orders"}) > 0.8', 'sum(db_connections_max{job="orders"}) > 0.95',
     "OrdersDbConnectionsHigh"),
])
def test_a_wrong_dependency_expression_fails_its_tests(built: Path, tmp_path: Path, old: str, new: str, alert: str):
    out = _broken(built, tmp_path, old, new)
    result = CliRunner().invoke(main, ["test", str(SPEC), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert f"FAIL alert {alert} in scenario" in result.output
