"""Fleet drills: a dependency several journeys share is broken once and every journey that shares it is
watched and judged against its own impact map. The fleet is the live stack's: purchase and catalogue,
which share PostgreSQL (`database`, cause `DatabaseDown` without a journey label). No servers here."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from lab.drill.judge import FAIL, Expectation, judge
from lab.drill.observe import AlertKey, Observation, combined, observe_journeys
from lab.drill.report import render_json, render_text
from lab.drill.runner import DrillResult, FleetDrillResult, planned, sharing
from lab.drill.scale import DrillScale, scaled_shared_groups, write_drill_copy
from lab.drill.timeline import Event, alert_times, merge, transitions
from obsgen.artifacts.layout import FLEET_DIR
from obsgen.artifacts.prometheus import AlertRule
from obsgen.build.load import load_all, load_journey, load_with_fleet
from obsgen.build.membership import emit_manifest
from obsgen.spec.fleet import resolve_fleet
from tests.conftest import ROOT

SCALE = DrillScale(factor=60, evaluation_interval=5)
CATALOGUE_SPEC = ROOT / "tests" / "fleet" / "specs" / "catalogue.yaml"


@pytest.fixture(scope="module")
def fleet():
    journeys = [load_journey(ROOT / "specs" / "purchase.yaml", source_name="specs/purchase.yaml"),
                load_journey(CATALOGUE_SPEC, source_name="tests/fleet/specs/catalogue.yaml")]
    return {j.name: j for j in resolve_fleet(journeys).journeys}


def drilled(fleet, *expect: str) -> dict[str, Expectation]:
    journeys = [fleet["purchase"], fleet["catalogue"]]
    return {j.name: e for j, (e, _) in zip(journeys, planned(journeys, "database", SCALE, expect))}


# -- which journeys, and what each must show ----------------------------------------------------------

def test_the_drill_loads_the_fleet_the_output_directory_was_built_with(tmp_path):
    specs, generated = tmp_path / "specs", tmp_path / "generated"
    specs.mkdir()
    for spec in (ROOT / "specs" / "purchase.yaml", CATALOGUE_SPEC):
        shutil.copy(spec, specs / spec.name)
    built = resolve_fleet(load_all([specs / "purchase.yaml", specs / "catalogue.yaml"], generated))
    manifest = emit_manifest(built)[0]  # what `obsgen build` records of the journeys built together
    (generated / FLEET_DIR).mkdir(parents=True)
    (generated / FLEET_DIR / manifest.path).write_text(manifest.content)
    journey, everyone = load_with_fleet(specs / "purchase.yaml", generated)
    assert journey.name == "purchase" and [j.name for j in everyone] == ["catalogue", "purchase"]
    assert journey.dependency("database").shared is not None
    alone, just_it = load_with_fleet(specs / "purchase.yaml", tmp_path / "built-alone")
    assert just_it == (alone,) and alone.dependency("database").shared is None



def test_a_shared_dependency_brings_in_every_journey_that_shares_it(fleet):
    everyone = tuple(fleet.values())
    assert [j.name for j in sharing(everyone, "database", besides="purchase")] == ["catalogue"]
    assert sharing(everyone, "rabbitmq", besides="purchase") == []  # purchase's alone: not shared


def test_each_journey_expects_the_shared_cause_its_own_symptoms_and_its_own_companion(fleet):
    expect = drilled(fleet)
    assert {e.cause for e in expect.values()} == {"DatabaseDown"}
    assert expect["purchase"].companion == "PurchaseDatabaseRecentlyDown"
    assert expect["catalogue"].companion == "CatalogueDatabaseRecentlyDown"
    assert "HighCheckoutErrorRate" in expect["purchase"].symptoms
    assert set(expect["catalogue"].symptoms) == {
        "CatalogueCatalogueAvailabilityErrorBudgetBurn", "CatalogueProductLatencyErrorBudgetBurn",
        "CatalogueListingSliDataMissing", "CatalogueProductSliDataMissing"}
    assert not set(expect["purchase"].symptoms) & set(expect["catalogue"].symptoms)
    # Each companion holds back its own journey's burn alerts, not the absent-data ones.
    assert expect["catalogue"].held_after == ("CatalogueCatalogueAvailabilityErrorBudgetBurn",
                                              "CatalogueProductLatencyErrorBudgetBurn")
    # The other journey's alerts are not expected here: they would be judged as unexpected.
    assert expect["purchase"].role("CatalogueProductLatencyErrorBudgetBurn") == "unexpected"


def test_an_expected_alert_is_required_of_the_journey_that_has_it(fleet):
    expect = drilled(fleet, "HighCheckoutErrorRate", "CatalogueProductLatencyErrorBudgetBurn", "DatabaseDown",
                     "NoSuchAlert")
    assert expect["purchase"].required == ("HighCheckoutErrorRate", "DatabaseDown", "NoSuchAlert")
    assert expect["catalogue"].required == ("CatalogueProductLatencyErrorBudgetBurn", "DatabaseDown")


def test_the_shared_down_alert_is_loaded_once_for_the_fleet(fleet):
    alerts = [r.alert for g in scaled_shared_groups(list(fleet.values()), SCALE) for r in g.rules
              if isinstance(r, AlertRule)]
    assert alerts == ["DatabaseDown"]


@pytest.mark.integration  # promtool checks the copy
def test_a_fleet_drill_copy_holds_every_journey_once_and_the_fleet_s_inhibitions(fleet, tmp_path):
    written = write_drill_copy([fleet["purchase"], fleet["catalogue"]], SCALE, tmp_path)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == ["_fleet/alertmanager/alertmanager.yaml", "_fleet/prometheus/shared-dependencies.rules.yaml",
                     "catalogue/prometheus/alerts.rules.yaml", "catalogue/prometheus/recording.rules.yaml",
                     "purchase/prometheus/alerts.rules.yaml", "purchase/prometheus/recording.rules.yaml"]
    every_alert = [r["alert"] for p in written if p.parent.name == "prometheus"
                   for g in yaml.safe_load(p.read_text())["groups"] for r in g["rules"] if "alert" in r]
    assert every_alert.count("DatabaseDown") == 1
    config = yaml.safe_load((tmp_path / "_fleet/alertmanager/alertmanager.yaml").read_text())
    sources = " ".join(m for r in config["inhibit_rules"] for m in r["source_matchers"])
    assert "PurchaseDatabaseRecentlyDown" in sources and "CatalogueDatabaseRecentlyDown" in sources


# -- one snapshot of the servers, split by journey -------------------------------------------------------

class Served:
    """A server's /alerts answer, as its HTTP API returns it (the split is what is tested, not the API)."""

    def __init__(self, alerts: list[dict]):
        self._alerts = alerts

    def alerts(self) -> list[dict]:
        return self._alerts


def test_one_snapshot_gives_each_journey_its_alerts_and_the_shared_cause():
    down = {"alertname": "DatabaseDown", "severity": "page", "dependency": "database"}
    burn = {"alertname": "CatalogueProductLatencyErrorBudgetBurn", "severity": "page", "journey": "catalogue"}
    checkout = {"alertname": "HighCheckoutErrorRate", "severity": "page", "journey": "purchase"}
    prometheus = Served([{"labels": down, "state": "firing"}, {"labels": burn, "state": "firing"},
                         {"labels": checkout, "state": "inactive"}])
    alertmanager = Served([{"labels": down, "status": {"state": "active"}},
                           {"labels": burn, "status": {"state": "suppressed", "inhibitedBy": ["f1"]}}])
    scopes = {"purchase": frozenset({"DatabaseDown"}), "catalogue": frozenset({"DatabaseDown"})}
    seen = observe_journeys(prometheus, alertmanager, scopes, 7.0)
    assert seen["purchase"].prometheus == ((AlertKey("DatabaseDown", "page"), "firing"),)
    assert seen["catalogue"].firing("CatalogueProductLatencyErrorBudgetBurn") and seen["catalogue"].firing(
        "DatabaseDown")
    assert [k.alert for k, _, _ in seen["catalogue"].alertmanager] == ["CatalogueProductLatencyErrorBudgetBurn",
                                                                       "DatabaseDown"]
    both = combined(list(seen.values()))
    assert both.t == 7.0 and [k.alert for k, _ in both.prometheus] == ["CatalogueProductLatencyErrorBudgetBurn",
                                                                       "DatabaseDown"]
    assert len(both.alertmanager) == 2  # the shared cause once


def test_one_journey_s_observation_is_its_own_combination():
    only = Observation(1.0, ((AlertKey("A", "page"), "firing"), (AlertKey("A", "page"), "firing")), ())
    assert combined([only]) is only  # a single-journey drill reads what it always read


# -- the verdict across journeys, and the report -----------------------------------------------------------

DOWN, COMPANIONS = AlertKey("DatabaseDown", "page"), {"purchase": "PurchaseDatabaseRecentlyDown",
                                                       "catalogue": "CatalogueDatabaseRecentlyDown"}
SYMPTOM = {"purchase": AlertKey("HighCheckoutErrorRate", "page"),
           "catalogue": AlertKey("CatalogueProductLatencyErrorBudgetBurn", "page")}


def seen_by(journey: str, stray: AlertKey | None = None) -> list[Observation]:
    """The shared cause fires and reaches Alertmanager, the journey's symptom fires inhibited, the restore is at
    30 s, the companion holds the symptom after it, all quiet at 60 s; `stray` pages un-inhibited at 15 s."""
    symptom, companion = SYMPTOM[journey], AlertKey(COMPANIONS[journey], "none")
    extra = ((stray, "firing"),) if stray else ()
    extra_am = ((stray, "active", ()),) if stray else ()
    return [
        Observation(-5, (), ()),
        Observation(5, ((DOWN, "firing"),), ((DOWN, "active", ()),)),
        Observation(15, ((DOWN, "firing"), (symptom, "firing")) + extra,
                    ((DOWN, "active", ()), (symptom, "suppressed", ("f1",))) + extra_am),
        Observation(35, ((companion, "firing"), (symptom, "firing")),
                    ((companion, "active", ()), (symptom, "suppressed", ("f2",)))),
        Observation(60, (), ()),
    ]


def fleet_result(fleet, stray: dict[str, AlertKey] | None = None) -> FleetDrillResult:
    expect = drilled(fleet)
    seen = {name: seen_by(name, (stray or {}).get(name)) for name in ("purchase", "catalogue")}
    # The timeline reads both journeys at once, as the drill's watch does.
    events = merge([Event(0, "failure", "stopping postgres")],
                   transitions([combined(list(at)) for at in zip(*seen.values())]))
    drills = []
    for name in ("purchase", "catalogue"):
        drill = DrillResult(name, "database", "PostgreSQL", "postgres", SCALE, "/state/drill/generated",
                            expect[name], [], hold=120, resolve_timeout=450)
        drill.events, drill.restored_at = events, 30
        drill.times = alert_times([o for o in seen[name] if o.t >= 0])
        drill.findings = judge(expect[name], seen[name], 30)
        drills.append(drill)
    return FleetDrillResult(drills)


def test_a_fleet_drill_passes_when_every_journey_matches_its_map(fleet):
    result = fleet_result(fleet)
    assert result.passed and result.failed_journeys == []
    assert render_text(result).rstrip().endswith(
        "PASSED: reality matches the impact map of every journey (purchase, catalogue)")


def test_one_journey_s_unexpected_page_fails_the_drill_and_names_the_journey(fleet):
    result = fleet_result(fleet, stray={"catalogue": AlertKey("CatalogueSearchDown", "page")})
    assert not result.passed and result.failed_journeys == ["catalogue"]
    assert result.drills[0].passed  # purchase matched its own map
    failures = [f.message for f in result.drills[1].findings if f.level == FAIL]
    assert failures == ["CatalogueSearchDown (page) fired at +15.0s, but the impact map does not list it for this "
                        "dependency"]
    text = render_text(result)
    assert "Journey purchase: passed" in text and "Journey catalogue: FAILED" in text
    assert text.rstrip().endswith("FAILED: reality differs from the impact map of catalogue")


def test_the_fleet_report_says_the_shared_cause_once_and_each_journey_s_part(fleet):
    text = render_text(fleet_result(fleet))
    assert text.startswith("obsgen drill: dependency database (PostgreSQL), shared by the journeys purchase, "
                           "catalogue -> stack service postgres\n")
    assert text.count("shared cause: DatabaseDown") == 1
    assert text.count("Timeline (seconds since the failure started)") == 1
    assert text.count("DatabaseDown (page): firing") == 1
    assert text.count("Alerts from the failure on") == 2
    assert "  after it resolves: CatalogueDatabaseRecentlyDown holds back CatalogueCatalogueAvailability" in text


def test_the_fleet_json_carries_each_journey_s_results(fleet):
    data = json.loads(render_json(fleet_result(fleet, stray={"purchase": AlertKey("Stray", "page")})))
    assert (data["dependency"], data["service"], data["cause"]) == ("database", "postgres", "DatabaseDown")
    assert data["passed"] is False and data["failed_journeys"] == ["purchase"]
    assert [j["journey"] for j in data["journeys"]] == ["purchase", "catalogue"]
    purchase, catalogue = data["journeys"]
    assert (purchase["passed"], catalogue["passed"]) == (False, True)
    assert catalogue["companion"] == "CatalogueDatabaseRecentlyDown"
    rows = {(r["alert"], r["role"]) for r in catalogue["alerts"]}
    assert rows == {("DatabaseDown", "cause"), ("CatalogueDatabaseRecentlyDown", "companion"),
                    ("CatalogueProductLatencyErrorBudgetBurn", "symptom")}
    assert {"timeline", "scale", "restored_at_s", "traffic"} <= set(data) and "findings" not in data
