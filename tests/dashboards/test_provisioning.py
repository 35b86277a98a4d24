"""Provisioning files, the datasource uids the dashboard uses, and the alerts' links into the dashboard."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import yaml

from obsgen.artifacts.grafana import provisioning
from obsgen.artifacts.grafana.emit import emit_grafana
from obsgen.artifacts.prometheus import all_alerts


def _artifacts(journey) -> dict[str, str]:
    return {a.path: a.content for a in emit_grafana(journey)}


def test_emitter_writes_dashboard_provider_and_datasources(purchase_journey):
    assert sorted(_artifacts(purchase_journey)) == [
        "grafana/dashboards/purchase.json",
        "grafana/provisioning/dashboards/purchase.yaml",
        "grafana/provisioning/datasources/obsgen.yaml",
    ]


def test_datasources_have_fixed_uids_and_exemplars_link_to_jaeger(purchase_journey):
    data = yaml.safe_load(_artifacts(purchase_journey)["grafana/provisioning/datasources/obsgen.yaml"])
    by_type = {d["type"]: d for d in data["datasources"]}
    assert {t: d["uid"] for t, d in by_type.items()} == {
        "prometheus": "obsgen-prometheus", "alertmanager": "obsgen-alertmanager", "jaeger": "obsgen-jaeger"}
    assert {t: d["url"] for t, d in by_type.items()} == {
        "prometheus": "http://prometheus:9090", "alertmanager": "http://alertmanager:9093", "jaeger": "http://jaeger:16686"}
    prometheus = by_type["prometheus"]["jsonData"]
    assert prometheus["exemplarTraceIdDestinations"] == [{"name": "trace_id", "datasourceUid": "obsgen-jaeger"}]
    assert prometheus["timeInterval"] == "15s"


def test_dashboard_variables_default_to_the_provisioned_datasources(dashboard):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["current"]["value"] == provisioning.PROMETHEUS_UID
    assert variables["traces_datasource"]["current"]["value"] == provisioning.JAEGER_UID
    assert {"trace_id", "correlation_id", "stage", "slo", "dependency"} <= variables.keys()
    assert variables["trace_id"]["type"] == variables["correlation_id"]["type"] == "textbox"
    stage = variables["stage"]
    assert stage["multi"] and stage["includeAll"]
    assert [o["value"] for o in stage["options"]] == ["$__all", "browse", "checkout", "order_processing", "email"]


def test_provider_loads_the_journey_folder_from_the_mounted_path(purchase_journey):
    data = yaml.safe_load(_artifacts(purchase_journey)["grafana/provisioning/dashboards/purchase.yaml"])
    (provider,) = data["providers"]
    assert provider["type"] == "file" and provider["folder"] == "Purchase journey"
    assert provider["options"]["path"] == "/var/lib/grafana/dashboards/purchase"
    assert len(provider["folderUid"]) <= 40 and provider["folderUid"] != purchase_journey.dashboard_uid


def test_long_names_get_short_unique_uids():
    long_a, long_b = "a" * 60 + "x", "a" * 60 + "y"
    uid_a, uid_b = provisioning.short_uid("obsgen-folder", long_a), provisioning.short_uid("obsgen-folder", long_b)
    assert len(uid_a) <= 40 and len(uid_b) <= 40 and uid_a != uid_b


def test_alert_dashboard_urls_open_this_dashboard_with_defined_variables(purchase_journey, dashboard):
    variables = {v["name"]: {o["value"] for o in v.get("options", [])} for v in dashboard["templating"]["list"]}
    urls = [dict(a.annotations)["dashboard_url"] for a in all_alerts(purchase_journey)]
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert parts.path == f"/d/{dashboard['uid']}/purchase", url
        for key, value in parse_qsl(parts.query):
            name = key.removeprefix("var-")
            assert key.startswith("var-") and name in variables, url
            assert value in variables[name], url


def test_dashboard_links_back_to_alert_lists(dashboard):
    urls = [link["url"] for link in dashboard["links"]]
    assert "/alerting/list?search=label%3Ajourney%3Dpurchase" in urls
    assert any(u.startswith("/alerting/groups?alertmanager=Alertmanager") for u in urls)
