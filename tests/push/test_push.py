"""obsgen push against a loopback Grafana stand-in (tests/push/fake_grafana.py); no real Grafana runs here."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from obsgen.artifacts.base import Artifact, ArtifactKind
from obsgen.artifacts.built import Dashboard
from obsgen.build import pipeline
from obsgen.cli import main
from obsgen.clients.grafana import GrafanaClient, GrafanaError, RetryPolicy
from obsgen.push.deliver import commit_message, folder_uid, push_journey
from obsgen.render import dump_json
from tests.conftest import PURCHASE_SPEC, ROOT
from tests.push.fake_grafana import FakeGrafana

EDITOR, VIEWER = "glsa_editor_s3cret", "glsa_viewer_s3cret"
NO_WAIT = RetryPolicy(attempts=4, backoff=0)


@pytest.fixture
def grafana():
    server = FakeGrafana({EDITOR: "Editor", VIEWER: "Viewer"}).start()
    yield server
    server.stop()


def client(grafana: FakeGrafana, token: str = EDITOR, **kwargs) -> GrafanaClient:
    return GrafanaClient(grafana.url, token, retry=kwargs.pop("retry", NO_WAIT), **kwargs)


def dashboard(title: str = "Purchase journey", threshold: float = 0.05) -> Dashboard:
    model = {"uid": "obsgen-purchase", "title": title, "schemaVersion": 39, "tags": ["obsgen"],
             "panels": [{"id": 12, "type": "timeseries", "title": "Checkout errors",
                         "targets": [{"refId": "A", "expr": f"journey_stage:errors:ratio_rate5m > {threshold}"}]}]}
    content = dump_json(model)
    return Dashboard("purchase.json", json.loads(content), content)


# --------------------------------------------------------------------------- success and idempotence


def test_first_push_creates_folder_and_dashboard(grafana, purchase_journey):
    folder_action, results = push_journey(client(grafana), purchase_journey, [dashboard()])
    assert folder_action == "created"
    assert [(r.uid, r.action, r.version) for r in results] == [("obsgen-purchase", "created", 1)]
    assert grafana.state.folders[folder_uid(purchase_journey)]["title"] == purchase_journey.title
    save = next(r for r in grafana.writes() if r["path"] == "/api/dashboards/db")
    assert save["body"]["overwrite"] is True
    assert save["body"]["folderUid"] == "obsgen-purchase"
    assert purchase_journey.source_sha256 in save["body"]["message"]
    assert save["body"]["message"] == commit_message(purchase_journey)
    stored = grafana.state.dashboards["obsgen-purchase"]
    assert {k: v for k, v in stored["dashboard"].items() if k not in ("id", "version")} == dashboard().model
    assert all(r["authorization"] == f"Bearer {EDITOR}" for r in grafana.state.requests)


def test_second_push_of_the_same_dashboard_writes_nothing(grafana, purchase_journey):
    push_journey(client(grafana), purchase_journey, [dashboard()])
    writes_before = len(grafana.writes())
    folder_action, results = push_journey(client(grafana), purchase_journey, [dashboard()])
    assert folder_action == "exists"
    assert [(r.action, r.version) for r in results] == [("unchanged", 1)]
    assert len(grafana.writes()) == writes_before


def test_changed_dashboard_is_updated_to_a_new_version(grafana, purchase_journey):
    push_journey(client(grafana), purchase_journey, [dashboard(threshold=0.05)])
    _, results = push_journey(client(grafana), purchase_journey, [dashboard(threshold=0.04)])
    assert [(r.action, r.version) for r in results] == [("updated", 2)]
    assert "0.04" in grafana.state.dashboards["obsgen-purchase"]["dashboard"]["panels"][0]["targets"][0]["expr"]


def test_dashboard_in_another_folder_is_moved_back(grafana, purchase_journey):
    push_journey(client(grafana), purchase_journey, [dashboard()])
    grafana.state.dashboards["obsgen-purchase"]["folderUid"] = ""
    _, results = push_journey(client(grafana), purchase_journey, [dashboard()])
    assert results[0].action == "updated"
    assert grafana.state.dashboards["obsgen-purchase"]["folderUid"] == "obsgen-purchase"


# --------------------------------------------------------------------------- Grafana's refusals


def test_401_says_the_token_was_rejected_without_showing_it(grafana, purchase_journey):
    with pytest.raises(GrafanaError, match="rejected the token \\(401") as error:
        push_journey(client(grafana, token="glsa_wrong_token"), purchase_journey, [dashboard()])
    assert "glsa_wrong_token" not in str(error.value)


def test_403_says_the_token_lacks_permission(grafana, purchase_journey):
    with pytest.raises(GrafanaError, match="not allowed to do this \\(403.*folders:create"):
        push_journey(client(grafana, token=VIEWER), purchase_journey, [dashboard()])


def test_folder_deleted_while_pushing_is_reported(grafana, purchase_journey):
    def someone_deletes_the_folder(method: str, path: str) -> None:
        if path == "/api/dashboards/db":
            grafana.state.folders.clear()

    grafana.state.before = someone_deletes_the_folder
    with pytest.raises(GrafanaError, match="folder 'obsgen-purchase' not found \\(404"):
        push_journey(client(grafana), purchase_journey, [dashboard()])


def test_412_version_mismatch_when_not_overwriting_a_changed_dashboard(grafana, purchase_journey):
    push_journey(client(grafana), purchase_journey, [dashboard(threshold=0.05)])
    with pytest.raises(GrafanaError, match="412 version-mismatch"):
        push_journey(client(grafana), purchase_journey, [dashboard(threshold=0.04)], overwrite=False)
    assert grafana.state.dashboards["obsgen-purchase"]["version"] == 1


def test_412_name_exists_when_another_dashboard_has_the_title(grafana, purchase_journey):
    push_journey(client(grafana), purchase_journey, [dashboard()])
    grafana.state.dashboards["hand-made"] = {**grafana.state.dashboards.pop("obsgen-purchase")}
    grafana.state.dashboards["hand-made"]["dashboard"]["uid"] = "hand-made"
    with pytest.raises(GrafanaError, match="another dashboard titled 'Purchase journey' already exists.*412 name-exists"):
        push_journey(client(grafana), purchase_journey, [dashboard()], overwrite=False)


def test_400_provisioned_dashboard_cannot_be_changed_through_the_api(grafana, purchase_journey):
    grafana.provision(dashboard(threshold=0.01).model, folder_uid="obsgen-purchase")
    with pytest.raises(GrafanaError, match="provisioning files on its server \\(400: Cannot save provisioned"):
        push_journey(client(grafana), purchase_journey, [dashboard()])


def test_409_folder_title_taken_by_another_folder(grafana, purchase_journey):
    grafana.state.folders["someone-elses"] = {"uid": "someone-elses", "title": purchase_journey.title}
    with pytest.raises(GrafanaError, match="folder titled 'Purchase journey' already exists"):
        push_journey(client(grafana), purchase_journey, [dashboard()])


# --------------------------------------------------------------------------- retries


def test_5xx_answers_are_retried_then_succeed(grafana, purchase_journey):
    grafana.state.faults = [("status", 503), ("status", 502)]
    _, results = push_journey(client(grafana), purchase_journey, [dashboard()])
    assert results[0].action == "created"
    assert [r["path"] for r in grafana.state.requests[:3]] == ["/api/folders/obsgen-purchase"] * 3


def test_retries_are_bounded_and_back_off(grafana, purchase_journey):
    grafana.state.faults = [("status", 503)] * 10
    waits: list[float] = []
    retry = RetryPolicy(attempts=4, backoff=0.5, max_backoff=1.0)
    with pytest.raises(GrafanaError, match="HTTP 503 Service Unavailable on 4 attempts; giving up"):
        push_journey(client(grafana, retry=retry, sleep=waits.append), purchase_journey, [dashboard()])
    assert len(grafana.state.requests) == 4
    assert waits == [0.5, 1.0, 1.0]


def test_a_timeout_is_retried(grafana, purchase_journey):
    grafana.state.faults = [("stall", 1.0)]
    _, results = push_journey(client(grafana, timeout=0.3), purchase_journey, [dashboard()])
    assert results[0].action == "created"
    assert grafana.state.requests[0]["path"] == grafana.state.requests[1]["path"] == "/api/folders/obsgen-purchase"


def test_unreachable_grafana_gives_up_with_a_clear_message(purchase_journey):
    server = FakeGrafana({})
    url = server.url
    server.server.server_close()  # the port is now closed: connections are refused
    with pytest.raises(GrafanaError, match="cannot connect .* on 2 attempts"):
        push_journey(GrafanaClient(url, EDITOR, retry=RetryPolicy(attempts=2, backoff=0)), purchase_journey, [dashboard()])


# --------------------------------------------------------------------------- the command


@pytest.fixture
def with_dashboard_emitter(monkeypatch):
    """push reads dashboards from the build (emit_all); give the build one whatever emitters exist."""
    def emit_dashboard(journey):
        return [Artifact("grafana/dashboards/purchase.json", dashboard().content)]

    kinds = (*pipeline.KINDS, ArtifactKind("dashboard", emit_dashboard))
    if any(a.path.startswith("grafana/dashboards/") for k in pipeline.KINDS for a in k.emit(_journey())):
        kinds = pipeline.KINDS  # the real Grafana kind is registered: use it alone
    monkeypatch.setattr(pipeline, "KINDS", kinds)


def _journey():
    from obsgen.build.load import load_journey

    return load_journey(PURCHASE_SPEC)


def test_cli_pushes_with_the_token_from_the_environment_only(grafana, with_dashboard_emitter):
    runner = CliRunner()
    outcome = runner.invoke(main, ["push", str(PURCHASE_SPEC), "--grafana-url", grafana.url],
                            env={"GRAFANA_TOKEN": EDITOR})
    assert outcome.exit_code == 0, outcome.output
    assert "purchase: folder obsgen-purchase created" in outcome.output
    assert "created (version 1)" in outcome.output
    assert EDITOR not in outcome.output
    again = runner.invoke(main, ["push", str(PURCHASE_SPEC), "--grafana-url", grafana.url],
                          env={"GRAFANA_TOKEN": EDITOR})
    assert again.exit_code == 0 and ": unchanged (version 1)" in again.output, again.output


def test_cli_without_token_refuses_before_any_request(grafana, with_dashboard_emitter):
    outcome = CliRunner().invoke(main, ["push", str(PURCHASE_SPEC), "--grafana-url", grafana.url],
                                 env={"GRAFANA_TOKEN": ""})
    assert outcome.exit_code == 1
    assert "set GRAFANA_TOKEN" in outcome.output
    assert grafana.state.requests == []


def test_cli_refuses_credentials_in_the_url(grafana, with_dashboard_emitter):
    url = grafana.url.replace("http://", "http://admin:hunter2@")
    outcome = CliRunner().invoke(main, ["push", str(PURCHASE_SPEC), "--grafana-url", url],
                                 env={"GRAFANA_TOKEN": EDITOR})
    assert outcome.exit_code == 1 and "carries credentials" in outcome.output
    assert "hunter2" not in outcome.output
    assert grafana.state.requests == []


def test_cli_reports_401_without_leaking_the_token(grafana, with_dashboard_emitter):
    outcome = CliRunner().invoke(main, ["push", str(PURCHASE_SPEC), "--grafana-url", grafana.url],
                                 env={"GRAFANA_TOKEN": "glsa_leaky"})
    assert outcome.exit_code == 1
    assert "401 Unauthorized" in outcome.output and "glsa_leaky" not in outcome.output


def test_cli_pushes_the_index_of_specs_built_together_into_its_folder(grafana):
    catalogue = ROOT / "tests" / "fleet" / "specs" / "catalogue.yaml"
    args = ["push", str(PURCHASE_SPEC), str(catalogue), "--index", "--grafana-url", grafana.url]
    outcome = CliRunner().invoke(main, args, env={"GRAFANA_TOKEN": EDITOR})
    assert outcome.exit_code == 0, outcome.output
    assert "obsgen-fleet: folder obsgen-obsgen-fleet created" in outcome.output
    assert "obsgen-fleet: dashboard obsgen-journeys 'Journeys': created (version 1)" in outcome.output
    assert "catalogue: dashboard obsgen-catalogue" in outcome.output
    again = CliRunner().invoke(main, args, env={"GRAFANA_TOKEN": EDITOR})
    assert "obsgen-fleet: dashboard obsgen-journeys 'Journeys': unchanged (version 1)" in again.output
