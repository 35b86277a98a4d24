"""obsgen import sloth|openslo on Sloth's and OpenSLO's published examples (tests/importers/data): what maps,
what is reported where, and that the written spec loads through obsgen's own loader."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from obsgen.build.load import parse_journey
from obsgen.cli import main

DATA = Path(__file__).parent / "data"


def run(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def body(spec_text: str) -> dict:
    return yaml.safe_load(spec_text)


def positions(stderr: str) -> list[str]:
    return re.findall(r"^\S+:(\d+:\d+): warning: (\S+)", stderr, flags=re.M)


def test_sloth_getting_started_maps_queries_objective_and_alert_name():
    result = run("sloth", str(DATA / "sloth" / "getting-started.yml"))
    assert result.exit_code == 0, result.output
    spec = body(result.stdout)
    slo = spec["spec"]["slos"][0]
    assert slo["objective"] == 99.9 and slo["alerting"] == {"name": "MyServiceHighErrorRate"}
    assert slo["sli"]["errorQuery"].startswith('sum(rate(http_request_duration_seconds_count{job="myservice",code=~')
    assert spec["metadata"]["labels"] == {"owner": "myteam", "repo": "myorg/myservice", "tier": "2"}
    assert spec["spec"]["stages"][0]["errors"] == {"match": {"code": {"regex": "(5..|429)"}}}
    assert result.stdout.startswith("# Imported by `obsgen import sloth` from ")
    parse_journey(result.stdout, "imported.yaml")


def test_sloth_alert_labels_and_annotations_are_reported_at_their_keys():
    result = run("sloth", str(DATA / "sloth" / "getting-started.yml"))
    assert positions(result.stderr) == [("18:7", "slos[0].alerting.labels"),
                                        ("20:7", "slos[0].alerting.annotations"),
                                        ("24:9", "slos[0].alerting.page_alert.labels"),
                                        ("28:9", "slos[0].alerting.ticket_alert.labels")]


def test_strict_makes_unmapped_fields_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "spec.yaml"
    result = run("sloth", "--strict", "-o", str(out), str(DATA / "sloth" / "getting-started.yml"))
    assert result.exit_code == 2 and not out.exists()
    assert "4 field(s) cannot be mapped" in result.stderr


def test_sloth_kubernetes_form_gives_the_same_spec():
    plain = body(run("sloth", str(DATA / "sloth" / "getting-started.yml")).stdout)
    k8s = run("sloth", str(DATA / "sloth" / "k8s-getting-started.yml"))
    assert k8s.exit_code == 0 and body(k8s.stdout) == plain
    assert "PrometheusServiceLevel monitoring/sloth-slo-my-service" in k8s.stdout.splitlines()[0]


def test_sloth_raw_error_ratio_divides_by_one_per_series():
    result = run("sloth", str(DATA / "sloth" / "raw-home-wifi.yml"))
    sli = body(result.stdout)["spec"]["slos"][0]["sli"]
    assert sli["errorQuery"].startswith("1 - (") and sli["totalQuery"] == f"0 * (\n{sli['errorQuery']}\n) + 1"
    parse_journey(result.stdout, "imported.yaml")


def test_sloth_plugin_sli_is_reported_and_nothing_else_is_left():
    result = run("sloth", str(DATA / "sloth" / "plugin-getting-started.yml"))
    assert result.exit_code == 2
    assert re.search(r"plugin-getting-started.yml:13:7: sli.plugin is not imported", result.stderr)


def test_invalid_sloth_input_is_a_positioned_error(tmp_path):
    source = tmp_path / "bad.yml"
    source.write_text('version: "prometheus/v1"\nservice: x\nslos:\n  - name: a\n    objective: high\n')
    result = run("sloth", str(source))
    assert result.exit_code == 2 and "bad.yml:5:16: 'objective' must be a number" in result.stderr
    source.write_text('version: "prometheus/v1"\nservice: x\nlabels: {"a-b": "1", ok: "{{x}}", fine: "2"}\nslos:\n'
                      '  - name: a\n    objective: 99\n'
                      '    sli: {events: {error_query: "sum(x)", total_query: "sum(y)"}}\n')
    result = run("sloth", str(source))
    assert result.exit_code == 0 and body(result.stdout)["metadata"]["labels"] == {"fine": "2"}
    assert positions(result.stderr) == [("3:10", "label"), ("3:22", "label")]
    source.write_text("version: prometheus/v2\n")
    assert "bad.yml:1:10: not a Sloth spec" in run("sloth", str(source)).stderr


def test_openslo_ratio_and_threshold_objectives():
    result = run("openslo", str(DATA / "openslo" / "checkout-prometheus.yaml"))
    assert result.exit_code == 0, result.output
    slos = {s["name"]: s for s in body(result.stdout)["spec"]["slos"]}
    assert sorted(slos) == ["checkout-availability", "checkout-latency-fast", "checkout-latency-not-slow"]
    ratio = slos["checkout-availability"]
    assert ratio["objective"] == 99.9 and ratio["window"] == "30d"
    assert ratio["sli"] == {"errorQuery": 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
                            "totalQuery": 'sum(rate(http_requests_total{job="checkout"}[{{.window}}]))'}
    fast, slow = slos["checkout-latency-fast"]["sli"], slos["checkout-latency-not-slow"]["sli"]
    assert ") > bool 0.5)[{{.window}}:1m]" in fast["errorQuery"] and ") >= bool 2)" in slow["errorQuery"]
    assert slos["checkout-latency-fast"]["objective"] == 99
    # The 1M calendar window starting on the 1st at 00:00 UTC imports as a calendar month, without a warning.
    assert positions(result.stderr) == [("4:1", "kind"), ("49:3", "spec.alertPolicies")]
    assert slos["checkout-latency-fast"]["calendar"] == {"period": "month", "timeZone": "UTC"}
    assert "window" not in slos["checkout-latency-fast"]
    journey = parse_journey(result.stdout, "imported.yaml")
    assert [s.calendar for s in journey.slos] == [None, "month", "month"]  # both objectives of the SLO


def test_openslo_examples_without_prometheus_are_refused_with_the_reason():
    result = run("openslo", str(DATA / "openslo" / "multi.yaml"))
    assert result.exit_code == 2
    assert "multi.yaml:31:7: metricSource type CloudWatch is not imported" in result.stderr
    datadog = run("openslo", str(DATA / "openslo" / "slo-no-indicatorref-rolling-alerts.yaml"))
    assert datadog.exit_code == 2 and "metricSource type Datadog is not imported" in datadog.stderr


def test_openslo_missing_indicator_ref_is_a_positioned_error():
    result = run("openslo", str(DATA / "openslo" / "slo-indicatorref-calendar-no-alerts.yaml"))
    assert result.exit_code == 2
    assert "slo-indicatorref-calendar-no-alerts.yaml:9:17: indicatorRef 'indicatorRefString'" in result.stderr


def test_openslo_v1alpha_is_refused_at_its_api_version():
    result = run("openslo", str(DATA / "openslo" / "sloth-openslo-getting-started.yml"))
    assert result.exit_code == 2 and ":6:13: apiVersion 'openslo/v1alpha' is not imported" in result.stderr


def test_sloth_multi_document_file_writes_one_journey_per_service(tmp_path):
    source = str(DATA / "sloth" / "multifile.yml")
    refused = run("sloth", source)
    assert refused.exit_code == 2 and "holds 2 specs, one journey each: give -o DIRECTORY" in refused.stderr
    result = run("sloth", source, "-o", str(tmp_path / "specs"))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / "specs").iterdir())
    assert written == ["myservice.yaml", "myservice2.yaml"]
    for path in (tmp_path / "specs").iterdir():
        parse_journey(path.read_text(), path.name)
    # positions in the second document are the file's own lines
    assert "requests-availability: " in (second := (tmp_path / "specs" / "myservice2.yaml").read_text())
    assert "multifile.yml:42:5" in second


def test_two_sloth_specs_for_one_service_are_refused(tmp_path):
    text = (DATA / "sloth" / "getting-started.yml").read_text()
    source = tmp_path / "twice.yml"
    source.write_text(f"{text}\n---\n{text}")
    result = run("sloth", str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "a second spec for the journey 'myservice' (the first is at line 2)" in result.stderr


SLOTH_HEAD = 'version: "prometheus/v1"\nservice: x\nslos:\n'
BROKEN_SLOTH = [
    "slos: [",
    'version: "prometheus/v1"\nservice: x\nslos: [plain]\n',
    SLOTH_HEAD + "  - {name: a, objective: 99, sli: {events: {error_query: 5, total_query: x}}}\n",
    SLOTH_HEAD + '  - {name: a, objective: 99, sli: {raw: {error_ratio_query: "rate(x[{{ .window }}])"}}}\n',
    'version: "prometheus/v1"\nservice: x\nslos:\n  - {name: a, objective: true, sli: {}}\n',
    SLOTH_HEAD + '  - {name: a, objective: 99, sli: {events: {error_query: "1", total_query: "2"}}}\n',
]
BROKEN_OPENSLO = [
    "apiVersion: openslo/v1\nkind: SLO\n",
    "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {service: s, budgetingMethod: Occurrences, "
    "timeWindow: [{duration: 28x}], objectives: [{target: 0.9}], indicator: {spec: {}}}\n",
    "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {service: s, budgetingMethod: Occurrences, "
    "timeWindow: [{duration: 28d, isRolling: true}], objectives: [{target: 0.9}], indicator: {spec: {ratioMetric: "
    "{counter: true, good: {metricSource: {type: Prometheus, spec: {query: 'x offset 5m'}}}, "
    "total: {metricSource: {type: Prometheus, spec: {query: y}}}}}}}\n",
    "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: a}\nspec: {service: s, budgetingMethod: Timeslices, "
    "timeWindow: [{duration: 28d, isRolling: true}], objectives: [{target: 1.5}], indicator: {spec: {}}}\n",
]


def test_broken_sources_are_positioned_errors_never_tracebacks(tmp_path):
    for kind, sources in (("sloth", BROKEN_SLOTH), ("openslo", BROKEN_OPENSLO)):
        for i, text_ in enumerate(sources):
            source = tmp_path / f"{kind}-{i}.yaml"
            source.write_text(text_)
            result = run(kind, str(source))
            assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (kind, i, result.output)
            assert re.search(rf"^{re.escape(str(source))}:\d+:\d+: ", result.stderr, flags=re.M), result.stderr
