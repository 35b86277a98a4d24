"""The runbook: every runbook_url lands on its own section, and each section says what to do."""

from __future__ import annotations

import json
import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

from obsgen.artifacts.impact import impact_map
from obsgen.artifacts.prometheus import all_alerts
from obsgen.artifacts.runbook.emit import emit_runbook, github_anchor
from tests.conftest import ROOT
from tests.impact.helpers import chain_journey, check_mermaid

RUNBOOK = ROOT / "generated" / "purchase" / "runbook" / "purchase.md"
REPO_BLOB = "https://github.com/obsgen/obsgen/blob/main/"


def anchors(markdown: str) -> list[str]:
    """Heading anchors as GitHub assigns them, with its -1, -2 suffixes for repeats (code blocks skipped)."""
    seen: Counter[str] = Counter()
    result, in_code = [], False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and (heading := re.match(r"^#{1,6} (.+)$", line)):
            slug = github_anchor(heading[1])
            result.append(slug if not seen[slug] else f"{slug}-{seen[slug]}")
            seen[slug] += 1
    return result


def section(markdown: str, alert: str) -> str:
    match = re.search(rf"^### {alert}\n(.*?)(?=^### |\Z)", markdown, re.M | re.S)
    assert match, alert
    return match[1]


@pytest.fixture(scope="module")
def page() -> str:
    return RUNBOOK.read_text()


@pytest.mark.parametrize("heading, anchor", [
    ("Hello World", "hello-world"),
    ("What's new?", "whats-new"),
    ("A_b-C", "a_b-c"),
    ("PurchaseDatabaseDown", "purchasedatabasedown"),
    ("Dependency impact map", "dependency-impact-map"),
])
def test_anchor_follows_githubs_rules(heading, anchor):
    assert github_anchor(heading) == anchor


def test_generated_runbook_is_the_fresh_render(purchase_journey, page):
    assert emit_runbook(purchase_journey)[0].path == "runbook/purchase.md"
    assert emit_runbook(purchase_journey)[0].content == page


def test_every_runbook_url_lands_on_exactly_one_section(page):
    doc = yaml.safe_load((ROOT / "generated" / "purchase" / "prometheus" / "alerts.rules.yaml").read_text())
    page_anchors = anchors(page)
    assert len(page_anchors) == len(set(page_anchors))
    for rule in (r for g in doc["groups"] for r in g["rules"]):
        url = rule["annotations"]["runbook_url"]
        path, _, anchor = url.partition("#")
        assert path.startswith(REPO_BLOB) and (ROOT / path[len(REPO_BLOB):]) == RUNBOOK, url
        assert anchor == rule["alert"].lower()
        assert page_anchors.count(anchor) == 1, anchor
        assert re.search(rf"^### {rule['alert']}$", page, re.M)


def test_one_section_per_alert_name(purchase_journey, page):
    names = list(dict.fromkeys(a.alert for a in all_alerts(purchase_journey)))
    assert re.findall(r"^### (\S+)$", page, re.M) == names


def test_internal_links_resolve(page):
    targets = set(anchors(page))
    links = re.findall(r"\]\(#([^)]+)\)", page)
    assert links
    assert sorted(set(links) - targets) == []
    for relative in re.findall(r"\]\((\.\./[^)]+)\)", page):
        assert (RUNBOOK.parent / relative).resolve().is_file(), relative


def test_sections_follow_the_debugging_workflow(purchase_journey, page):
    for name in dict.fromkeys(a.alert for a in all_alerts(purchase_journey)):
        text = section(page, name)
        assert "**What it means.**" in text and "**First checks:**" in text, name
        assert "```promql" in text and "Impact" in text, name
        assert "Dashboard: [" in text, name


def test_stage_checks_name_the_dashboard_row_log_query_and_trace_search(page):
    text = section(page, "HighCheckoutErrorRate")
    assert ("[Purchase journey, focused on this alert](http://localhost:3000/d/obsgen-purchase/purchase?var-stage=checkout), "
            "rows *Errors by stage* and *Request flow through the stages*") in text
    # The log query and commands are the spec's runbook hints (specs/purchase.yaml), not the emitter's.
    assert "- Checkout: `docker logs kodekloud-record-store-api 2>&1 | grep ERROR | grep /checkout`" in text
    assert '```sh\n       docker logs kodekloud-record-store-api 2>&1 | grep "<correlation-id>"\n       ```' in text
    search = re.search(r"\[error traces\]\(([^)]+)\)", text)[1]
    assert urlparse(search).netloc == "localhost:16686"
    query = parse_qs(urlparse(search).query)
    assert query == {"service": ["kodekloud-record-store-api"], "operation": ["POST /checkout"], "tags": ['{"error":"true"}']}
    worker = section(page, "HighJobFailureRate")
    assert "service `kodekloud-record-store-worker`, operation `run/process_order`" in worker
    assert "| grep ERROR | grep process_order`" in worker


def test_dashboard_rows_named_in_the_runbook_exist_in_the_generated_dashboard(page):
    dashboard = json.loads((ROOT / "generated" / "purchase" / "grafana" / "dashboards" / "purchase.json").read_text())
    rows = {panel["title"] for panel in dashboard["panels"] if panel["type"] == "row"}
    named = set(re.findall(r"rows? (\*.+?\*(?: and \*.+?\*)*):", page))
    titles = {title for group in named for title in re.findall(r"\*(.+?)\*", group)}
    titles |= set(re.findall(r"the dashboard's \*(.+?)\* row", page))
    assert titles and titles <= rows, titles - rows
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    for focus in re.findall(r"focused on this alert\]\([^)]*\?var-(\w+)=", page):
        assert focus in variables


def test_cause_sections_carry_the_impact_map(purchase_journey, page):
    impacts = impact_map(purchase_journey)
    for impact in impacts.impacts:
        text = section(page, impact.cause.alert)
        for stage in impact.stages:
            assert f"(`{stage.name}`)" in text
        for feature in impact.features:
            assert f"`{feature}`" in text
        held_back = re.search(r"Held back \(inhibited\).*?: (.*)$", text, re.M)[1]
        assert re.findall(r"\[(\w+)\]", held_back) == list(impact.symptom_alert_names)


def test_symptom_sections_point_at_their_possible_causes(page):
    text = section(page, "HighCheckoutErrorRate")
    causes = re.search(r"Possible causes.*$", text, re.M)[0]
    assert "[PurchaseDatabaseDown](#purchasedatabasedown)" in causes
    assert "[PurchasePaymentGatewayDown](#purchasepaymentgatewaydown)" in causes
    assert "Possible causes" not in section(page, "PurchaseRabbitmqBacklogHigh")


def test_the_map_is_drawn_in_the_runbook(page):
    chart = re.search(r"```mermaid\n(.*?)```", page, re.S)[1]
    assert check_mermaid(chart) == []


def test_runbook_for_another_journey_has_unique_anchors():
    content = emit_runbook(chain_journey())[0].content
    page_anchors = anchors(content)
    assert len(page_anchors) == len(set(page_anchors))
    assert "shopdiskdown" in page_anchors
