"""The one table renderer: tables fit the terminal ($COLUMNS), cells wrap and nothing is lost."""

from __future__ import annotations

import pytest

from obsgen.table import MIN_COLUMN, table, terminal_width
from obsgen.verify.report import PanelCheck, RuleGroupCheck, SelectorCheck, VerifyReport, render_table
from tests.cli_helpers import obsgen

# A selector as long as the real ones verify reported (the issue saw 1,295-column lines).
LONG_SELECTOR = ('etcd_server_proposals_failed_total{job="etcd", instance=~"etcd-[0-9]+:2379", '
                 + ", ".join(f'label_{i}="value-{i}"' for i in range(40)) + "}")


def words(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


def long_report() -> VerifyReport:
    report = VerifyReport("etcd-kv", "http://127.0.0.1:9090", 600)
    report.selectors = [SelectorCheck(LONG_SELECTOR, "stage put requests", "no-series", "no series in the window " * 5,
                                      ("rule EtcdProposalsFailing", "panel 'Proposals'"))]
    report.rule_groups = [RuleGroupCheck("etcd-kv-slo-recording", "prometheus/recording.rules.yaml", 12, "ok", "",
                                         30.0, 0.0021, 0.0019, 0.004, 120.0)]
    report.panels = [PanelCheck("Failed proposals per second, by instance and by member", "A", LONG_SELECTOR, False,
                                "empty", "no data", 0, 0.01, 0.002, 0)]
    return report


def column(lines: list[str], index: int) -> str:
    """The text of one column of a rendered table (its cells' pieces joined, spaces dropped)."""
    import re

    spans = [m.span() for m in re.finditer(r"-+", lines[1])]
    start, end = spans[index]
    end = len(max(lines, key=len)) if index == len(spans) - 1 else end
    return "".join(line[start:end].strip() for line in lines[2:]).replace(" ", "")


@pytest.mark.parametrize("columns", [80, 100, 120])
def test_verify_table_fits_the_terminal_and_keeps_every_character(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    text = render_table(long_report())
    sections = text.split("\n\n")
    selectors, groups, panels = (section.splitlines()[1:] for section in sections[1:4])
    for lines in (selectors, groups, panels):
        assert max(len(line) for line in lines) <= columns
    assert column(selectors, 1) == LONG_SELECTOR.replace(" ", "")
    assert column(panels, 1) == "Failedproposalspersecond,byinstanceandbymember"
    assert len(selectors) > 3  # it did wrap


def test_cells_wrap_within_their_column_and_rows_stay_together():
    lines = table(["status", "selector"], [["ok", "a b c d e f g h i j k l m n o p"], ["missing", "x"]], width=20)
    assert max(len(line) for line in lines) <= 20
    assert lines[0].split() == ["status", "selector"] and set(lines[1]) <= {"-", " "}
    assert words(lines[2:]) == ["ok", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p",
                                "missing", "x"]
    assert lines[-1].split() == ["missing", "x"]


def test_a_table_that_fits_is_left_as_it_is():
    assert table(["a", "bb"], [["1", "2"]], width=200) == ["a  bb", "-  --", "1  2"]


def test_columns_never_shrink_below_their_minimum():
    lines = table(["h"] * 10, [["x" * 30] * 10], width=20)
    assert all(len(line) <= 10 * MIN_COLUMN + 9 * 2 for line in lines)
    assert {len(cell) for cell in lines[1].split()} == {MIN_COLUMN}


def test_terminal_width_follows_columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "77")
    assert terminal_width() == 77


@pytest.mark.integration
def test_stack_status_fits_the_terminal(tmp_path):
    result = obsgen("stack", "--state-dir", str(tmp_path / "state"), "status", env={"COLUMNS": "50"})
    assert result.returncode == 0, result.stderr
    # After where the stack keeps its state (paths, not a table): the table, then the compose-only notes.
    table_lines = next(part for part in result.stdout.split("\n\n") if part.startswith("SERVICE")).splitlines()
    assert table_lines[0].split()[:2] == ["SERVICE", "STATE"]
    assert max(len(line) for line in table_lines) <= 50


@pytest.mark.integration
def test_stack_status_has_json_for_machines(tmp_path):
    import json

    result = obsgen("stack", "--state-dir", str(tmp_path / "state"), "status", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["services"][0]["name"] == "postgres" and {s["state"] for s in data["services"]} <= {"down",
                                                                                                   "unavailable"}
    assert "grafana" in data["compose_only"]
