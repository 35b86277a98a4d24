"""Several journeys built together: a shared PostgreSQL alerts once, one Alertmanager configuration
routes and inhibits for every journey, an index dashboard lists them, and the build publishes every
directory or none."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from contextlib import chdir
from pathlib import Path

import pytest
import yaml

from obsgen.artifacts.alertmanager import amtool as alertmanager
from obsgen.artifacts.alertmanager.config import INHIBIT_ONLY_RECEIVER
from obsgen.artifacts.base import ArtifactKind
from obsgen.build import pipeline
from obsgen.errors import SpecError, ValidationFailed
from tests.conftest import PURCHASE_SPEC, ROOT

CATALOGUE_SPEC = Path(__file__).parent / "specs" / "catalogue.yaml"


def obsgen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "obsgen", *args], cwd=cwd, capture_output=True, text=True)


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def new_project(root: Path) -> Path:
    (root / "specs").mkdir(parents=True)
    shutil.copy(PURCHASE_SPEC, root / "specs" / "purchase.yaml")
    shutil.copy(CATALOGUE_SPEC, root / "specs" / "catalogue.yaml")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """specs/ with purchase and catalogue, built once as users do: `obsgen build specs/`."""
    project = new_project(tmp_path_factory.mktemp("fleet"))
    result = obsgen("build", "specs/", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "shared dependencies: database" in result.stdout
    return project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return new_project(tmp_path)


def alerts_in(path: Path) -> list[dict]:
    return [r for g in yaml.safe_load(path.read_text())["groups"] for r in g["rules"] if "alert" in r]


def every_alert(generated: Path) -> list[dict]:
    return [a for path in sorted(generated.glob("*/prometheus/*.rules.yaml")) for a in alerts_in(path)]


# -- shared dependencies -------------------------------------------------------------------------

@pytest.mark.integration
def test_a_shared_dependency_has_one_down_alert_for_every_journey(built: Path):
    generated = built / "generated"
    names = [a["alert"] for a in every_alert(generated)]
    assert names.count("DatabaseDown") == 1
    assert not {"PurchaseDatabaseDown", "CatalogueDatabaseDown"} & set(names)
    shared = alerts_in(generated / "_fleet" / "prometheus" / "shared-dependencies.rules.yaml")
    assert [a["alert"] for a in shared] == ["DatabaseDown"]
    down = shared[0]
    assert down["labels"] == {"dependency": "database", "severity": "page"}
    assert "Journeys that need it (2): catalogue (listing, product); purchase (browse, checkout, order_processing, email)" in \
        down["annotations"]["description"]


@pytest.mark.integration
def test_dependencies_only_one_journey_needs_stay_with_it(built: Path):
    names = [a["alert"] for a in alerts_in(built / "generated" / "purchase" / "prometheus" / "alerts.rules.yaml")]
    assert {"PurchaseRabbitmqDown", "PurchaseRabbitmqBacklogHigh", "PurchasePaymentGatewayDown"} <= set(names)


@pytest.mark.integration
def test_shared_alerts_are_unit_tested_and_the_tests_ran(built: Path):
    tests = yaml.safe_load((built / "generated" / "_fleet" / "tests" / "shared-dependencies.tests.yaml").read_text())
    assert tests["rule_files"] == ["../prometheus/shared-dependencies.rules.yaml"]
    fired = [t for group in tests["tests"] for t in group["alert_rule_test"] if t["exp_alerts"]]
    assert {t["alertname"] for t in fired} == {"DatabaseDown"}
    proc = subprocess.run(["promtool", "test", "rules", "shared-dependencies.tests.yaml"],
                          cwd=built / "generated" / "_fleet" / "tests", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.integration
def test_every_journey_runbook_documents_the_shared_alert_its_link_points_to(built: Path):
    generated = built / "generated"
    down = alerts_in(generated / "_fleet" / "prometheus" / "shared-dependencies.rules.yaml")[0]
    page, anchor = down["annotations"]["runbook_url"].rsplit("/", 1)[1].split("#")
    assert page == "catalogue.md"  # the first journey by name documents it
    for journey in ("catalogue", "purchase"):
        runbook = (generated / journey / "runbook" / f"{journey}.md").read_text()
        assert "\n### DatabaseDown\n" in runbook and anchor == "databasedown"


@pytest.mark.integration
def test_impact_maps_name_the_shared_cause(built: Path):
    impact = yaml.safe_load((built / "generated" / "purchase" / "impact" / "impact.yaml").read_text())
    assert impact["dependencies"]["database"]["alerts"]["cause"]["alert"] == "DatabaseDown"


# -- Alertmanager ----------------------------------------------------------------------------------

def fleet_config(built: Path) -> Path:
    return built / "generated" / "_fleet" / "alertmanager" / "alertmanager.yaml"


@pytest.mark.integration
def test_fleet_config_routes_every_alert_to_its_owner(built: Path):
    config = fleet_config(built)
    assert alertmanager.check_config_file(config) == []
    assert alertmanager.routes_test(config, {"alertname": "DatabaseDown", "dependency": "database",
                                             "severity": "page"}) == ["shared-dependencies:page"]
    for journey in ("catalogue", "purchase"):
        for alert in alerts_in(built / "generated" / journey / "prometheus" / "alerts.rules.yaml"):
            labels = {"alertname": alert["alert"], **alert["labels"]}
            # A recently-down companion (of a shared cause too) only inhibits: no integration.
            owner = (INHIBIT_ONLY_RECEIVER if labels["severity"] == "none"
                     else f"{journey}-{labels['severity']}")
            assert alertmanager.routes_test(config, labels) == [owner], labels
    assert alertmanager.routes_test(config, {"alertname": "SomethingElse"}) == ["unrouted"]


@pytest.mark.integration
def test_fleet_config_holds_every_journeys_inhibit_rules_once(built: Path):
    fleet_rules = yaml.safe_load(fleet_config(built).read_text())["inhibit_rules"]
    for journey in ("catalogue", "purchase"):
        own = yaml.safe_load((built / "generated" / journey / "alertmanager" / "alertmanager.yaml").read_text())
        assert all(rule in fleet_rules for rule in own["inhibit_rules"])
    assert len({json.dumps(r, sort_keys=True) for r in fleet_rules}) == len(fleet_rules)


@pytest.mark.integration
@pytest.mark.slow
def test_shared_cause_inhibits_the_symptoms_of_every_journey_on_a_real_alertmanager(built: Path, tmp_path: Path):
    from tests.impact.test_alertmanager_live import post_rules, running_alertmanager, settled, wait_until

    generated = built / "generated"
    rules = every_alert(generated)
    symptoms = {"HighCheckoutErrorRate", "PurchaseCheckoutSuccessErrorBudgetBurn", "CatalogueCatalogueAvailabilityErrorBudgetBurn"}
    with running_alertmanager(fleet_config(built), tmp_path) as url:
        post_rules(url, rules, symptoms)
        wait_until(lambda: settled(url, set(), symptoms), "symptoms to be active without a cause")
        post_rules(url, rules, {"DatabaseDown"})
        current = wait_until(lambda: settled(url, symptoms, {"DatabaseDown"}), "the shared cause to inhibit both journeys")
        fingerprint = current["DatabaseDown"][0]["fingerprint"]
        assert all(s["inhibitedBy"] == [fingerprint] for name in symptoms for s in current[name])


# -- the build -------------------------------------------------------------------------------------

@pytest.mark.integration
def test_spec_order_does_not_change_a_byte(built: Path, tmp_path: Path):
    other = new_project(tmp_path / "other")
    result = obsgen("build", "--no-test", "specs/purchase.yaml", "specs/catalogue.yaml", cwd=other)
    assert result.returncode == 0, result.stderr
    assert tree(other / "generated") == tree(built / "generated")


@pytest.mark.integration
def test_check_follows_the_fleet(built: Path):
    result = obsgen("build", "--check", "specs/", cwd=built)
    assert result.returncode == 0, result.stderr
    assert "generated/_fleet: up to date" in result.stdout


@pytest.mark.integration
def test_building_part_of_a_fleet_is_refused_and_changes_nothing(built: Path):
    before = tree(built / "generated")
    result = obsgen("build", "specs/purchase.yaml", cwd=built)
    assert result.returncode == 2
    assert "was built together with catalogue (specs/catalogue.yaml)" in result.stderr
    assert "obsgen build specs/purchase.yaml specs/catalogue.yaml" in result.stderr
    assert tree(built / "generated") == before


@pytest.mark.integration
def test_without_out_a_fleet_is_found_where_it_was_built(project: Path):
    """`obsgen build specs/examples/` after `--out generated/examples`: the same output, not generated/ itself."""
    assert obsgen("build", "--no-test", "specs/", "--out", "generated/shop", cwd=project).returncode == 0
    check = obsgen("build", "--check", "--no-test", "specs/", cwd=project)
    assert check.returncode == 0, check.stderr
    assert "generated/shop/_fleet: up to date" in check.stdout
    (project / "specs" / "purchase.yaml").write_text(PURCHASE_SPEC.read_text().replace("Purchase journey", "Buying"))
    stale = obsgen("build", "--check", "--no-test", "specs/", cwd=project)
    assert stale.returncode == 1 and "generated/shop/purchase" in stale.stderr
    rebuilt = obsgen("build", "--no-test", "specs/", cwd=project)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert sorted(p.name for p in (project / "generated").iterdir()) == ["shop"]


@pytest.mark.integration
def test_without_out_specs_built_into_two_outputs_must_choose(project: Path):
    assert obsgen("build", "--no-test", "specs/purchase.yaml", "--out", "generated/a", cwd=project).returncode == 0
    assert obsgen("build", "--no-test", "specs/catalogue.yaml", "--out", "generated/b", cwd=project).returncode == 0
    before = tree(project / "generated")
    result = obsgen("build", "--no-test", "specs/", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == ("obsgen: these specs were built into several outputs "
                                     "(generated/a, generated/b): choose one with --out")
    assert tree(project / "generated") == before


@pytest.mark.integration
def test_a_deleted_spec_takes_its_output_and_its_sharing_with_it(project: Path):
    assert obsgen("build", "--no-test", "specs/", cwd=project).returncode == 0
    (project / "specs" / "catalogue.yaml").unlink()
    stale = obsgen("build", "--check", "specs/", cwd=project)
    assert stale.returncode == 1
    assert "generated/catalogue/prometheus/alerts.rules.yaml: extra" in stale.stderr
    result = obsgen("build", "--no-test", "specs/", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "generated/catalogue/ removed" in result.stdout
    generated = project / "generated"
    assert sorted(p.name for p in generated.iterdir() if not p.name.startswith(".")) == ["_fleet", "purchase"]
    assert "PurchaseDatabaseDown" in [a["alert"] for a in every_alert(generated)]
    assert not (generated / "_fleet" / "prometheus").exists()


@pytest.mark.integration
def test_a_failing_fleet_check_publishes_no_journey(project: Path, monkeypatch):
    def index_rejected(staged, fleet):
        return ["index dashboard rejected"]

    monkeypatch.setattr(pipeline, "KINDS", (*pipeline.KINDS, ArtifactKind("rejected", lambda journey: [],
                                                                            fleet_checks=(index_rejected,))))
    with pytest.raises(ValidationFailed, match="index dashboard rejected"):
        pipeline.build_fleet([project / "specs" / "purchase.yaml", project / "specs" / "catalogue.yaml"],
                             project / "generated", run_tests=False)
    assert not (project / "generated").exists() or not any((project / "generated").iterdir())


# -- specs that cannot be built together -------------------------------------------------------------

def rejected(project: Path) -> list[str]:
    """The problems, as obsgen reports them when run in the project (paths are relative to the current directory)."""
    with pytest.raises(SpecError) as error, chdir(project):
        pipeline.build_fleet(sorted(Path("specs").glob("*.yaml")), Path("generated"), validate=False)
    return [str(d) for d in error.value.diagnostics]


def test_two_journeys_of_one_name_are_refused_with_both_places(project: Path):
    catalogue = project / "specs" / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("name: catalogue", "name: purchase", 1))
    assert rejected(project) == [
        "specs/purchase.yaml:7:9: journey name 'purchase' is also used by specs/catalogue.yaml:6:9; "
        "each journey is written to its own generated/<name>/, so names must differ"]


@pytest.mark.integration
def test_a_shared_dependency_declared_two_ways_is_refused(project: Path):
    catalogue = project / "specs" / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("match: {job: postgres}", "match: {job: postgres-replica}"))
    problems = rejected(project)
    assert len(problems) == 1
    assert problems[0].startswith("specs/purchase.yaml:138:13: dependency 'database' is declared here with health "
                                  'signal pg_up{job="postgres"}, but at specs/catalogue.yaml:51:13 with '
                                  'pg_up{job="postgres-replica"}')
    result = obsgen("build", "specs/", cwd=project)
    assert result.returncode == 2 and not (project / "generated").exists()


def test_one_health_signal_under_two_names_is_refused(project: Path):
    catalogue = project / "specs" / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("- name: database", "- name: postgres"))
    problems = rejected(project)
    assert problems == ["specs/purchase.yaml:138:13: dependency 'database' watches pg_up{job=\"postgres\"}, which "
                        "'postgres' at specs/catalogue.yaml:51:13 watches too: use one name, so that one alert "
                        "pages for the journeys that share it"]


def test_problems_in_several_specs_are_all_reported(project: Path):
    for name in ("purchase", "catalogue"):
        spec = project / "specs" / f"{name}.yaml"
        spec.write_text(spec.read_text().replace("profile: http", "profile: htp", 1))
    files = {p.split(":")[0] for p in rejected(project)}
    assert files == {"specs/purchase.yaml", "specs/catalogue.yaml"}


def test_the_repository_builds_its_specs_as_a_fleet():
    manifest = yaml.safe_load((ROOT / "generated" / "_fleet" / "fleet.yaml").read_text())
    specs = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "specs").glob("*.yaml"))
    assert sorted(j["source"] for j in manifest["journeys"]) == specs


def test_the_reserved_fleet_name_is_refused(project: Path):
    catalogue = project / "specs" / "catalogue.yaml"
    catalogue.write_text(catalogue.read_text().replace("name: catalogue", "name: obsgen-fleet", 1))
    assert rejected(project) == ["specs/catalogue.yaml:6:9: journey name 'obsgen-fleet' is reserved for the "
                                 "output journeys share (generated/_fleet/)"]


@pytest.mark.integration
def test_every_target_delivers_the_shared_alerts_and_the_index(project: Path):
    """Without the fleet's own delivery files a Kubernetes or Mimir user would lose DatabaseDown."""
    from obsgen.targets import TARGETS

    result = pipeline.build_fleet(sorted((project / "specs").glob("*.yaml")), project / "generated",
                                  run_tests=False, targets=sorted(TARGETS))
    targets = result.directory / "targets"
    operator = yaml.safe_load(
        (targets / "prometheus-operator/prometheusrules/obsgen-obsgen-fleet-shared-dependencies.yaml").read_text())
    assert [r["alert"] for g in operator["spec"]["groups"] for r in g["rules"]] == ["DatabaseDown"]
    configmap = yaml.safe_load((targets / "prometheus-operator/dashboards/obsgen-dashboard-obsgen-fleet.yaml").read_text())
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert json.loads(configmap["data"]["obsgen-fleet.json"])["uid"] == "obsgen-journeys"
    for tool in ("mimir", "cortex"):
        namespace = yaml.safe_load((targets / tool / "obsgen-fleet.yaml").read_text())
        assert namespace["namespace"] == "obsgen-fleet"
        assert [g["name"] for g in namespace["groups"]] == ["obsgen-shared-dependencies"]
    thanos = yaml.safe_load((targets / "thanos" / "shared-dependencies.rules.yaml").read_text())
    assert thanos["groups"][0]["partial_response_strategy"]
    mixin_alerts = json.loads((targets / "mixin" / "alerts.json").read_text())
    assert [r["alert"] for g in mixin_alerts["groups"] for r in g["rules"]] == ["DatabaseDown"]
    assert (targets / "mixin" / "dashboards" / "obsgen-fleet.json").is_file()


# -- the commands that rebuild one journey in memory see it as the fleet built it ---------------------

@pytest.mark.integration
def test_diff_of_a_fleet_member_against_the_fleet_build_is_empty(built: Path):
    result = obsgen("diff", "specs/purchase.yaml", cwd=built)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no differences\n"


@pytest.mark.integration
def test_a_drill_of_a_shared_dependency_loads_its_shared_alert_scaled(built: Path, tmp_path: Path):
    from lab.drill.scale import DrillScale, scaled_alerts, write_drill_copy
    from obsgen.build.load import load_in_fleet

    journey = load_in_fleet(built / "specs" / "purchase.yaml", built / "generated")
    scale = DrillScale(factor=60, evaluation_interval=5)
    holds = {a.alert: (a.original_hold, a.hold) for a in scaled_alerts(journey, scale)}
    assert holds["DatabaseDown"] == ("1m", "5s")
    written = write_drill_copy([journey], scale, tmp_path)
    shared = [p for p in written if p.name == "shared-dependencies.rules.yaml"]
    assert [a["alert"] for a in alerts_in(shared[0])] == ["DatabaseDown"]


@pytest.mark.integration
def test_obsgen_test_runs_the_shared_tests_with_the_journeys(built: Path):
    result = obsgen("test", "specs/", cwd=built)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated/_fleet" in result.stdout


@pytest.mark.integration
def test_obsgen_test_fresh_builds_the_journey_with_its_fleet(built: Path):
    result = obsgen("test", "--fresh", "specs/catalogue.yaml", cwd=built)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "fresh build of specs/catalogue.yaml: shared dependencies" in result.stdout


@pytest.mark.integration
def test_impact_of_a_fleet_member_names_the_shared_cause(built: Path):
    result = obsgen("impact", "specs/catalogue.yaml", "database", "--format", "json", cwd=built)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["dependencies"]["database"]["alerts"]["cause"]["alert"] == "DatabaseDown"
