"""Fixtures for the dashboard tests: the built seed dashboard, Grafana's schema (pinned npm package), spec variants."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from obsgen.artifacts.grafana.dashboard import build_dashboard
from obsgen.build.load import load_journey
from tests.conftest import PURCHASE_SPEC
from tests.dashboards.grafana_schema import DashboardChecker, npm_tools


@pytest.fixture(scope="session")
def grafana_npm() -> Path:
    """npm prefix with @grafana/schema and ts-json-schema-generator (skips without node, fails under CI)."""
    return npm_tools()


@pytest.fixture(scope="session")
def dashboard_checker(grafana_npm) -> DashboardChecker:
    return DashboardChecker(grafana_npm)


@pytest.fixture(scope="session")
def dashboard(purchase_journey) -> dict:
    return build_dashboard(purchase_journey)


def panels(dashboard: dict) -> list[dict]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def exprs(panel: dict) -> list[str]:
    return [t["expr"] for t in panel.get("targets", []) if "expr" in t]


def by_title(dashboard: dict, title: str) -> dict:
    found = [p for p in dashboard["panels"] if p.get("title") == title]
    assert len(found) == 1, f"expected one panel titled {title!r}, found {len(found)}"
    return found[0]


def journey_from(tmp_path: Path, text: str, name: str = "purchase.yaml"):
    """A journey from a modified copy of the seed spec (written to a temporary directory)."""
    spec = tmp_path / name
    spec.write_text(text, encoding="utf-8")
    return load_journey(spec, source_name="specs/purchase.yaml")


def seed_text() -> str:
    return PURCHASE_SPEC.read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} should occur once in the seed spec"
    return text.replace(old, new)


_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")


def substitute(expr: str, choices: dict[str, list[str]]) -> str:
    """What Grafana sends Prometheus: macros become durations, multi-value variables a regex
    alternation of all their values (the "All" selection); ``$1`` in label_replace stays."""
    macros = {"__rate_interval": "1m", "__range": "1h", "__interval": "15s"}

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        if name in macros:
            return macros[name]
        if name in choices:
            return "(" + "|".join(choices[name]) + ")"
        return match.group(0)

    return _VARIABLE.sub(replace, expr)


def variable_choices(dashboard: dict) -> dict[str, list[str]]:
    return {v["name"]: [o["value"] for o in v.get("options", []) if o["value"] != "$__all"]
            for v in dashboard["templating"]["list"] if v["type"] == "custom"}
