"""Label values from the spec reach alert descriptions inside selectors; Prometheus expands `{{ }}` in
annotations at alert time, so a value like `{{ $labels.job }}` must be printed, never evaluated."""

from __future__ import annotations

import subprocess

import pytest
import yaml

from obsgen.artifacts.prometheus import absent_alerts
from obsgen.artifacts.prometheus.alerts_common import template_literal
from obsgen.build.load import parse_journey
from obsgen.tools import promtool
from tests.spec_text import METADATA

HOSTILE = '{{ $labels.job }}{{ template "x" }}'

SPEC = METADATA + f"""\
  stages:
    - name: checkout
      profile: http
      match: {{handler: '{HOSTILE}'}}
  slos:
    - {{name: ok, type: availability, stages: [checkout], objective: 99}}
"""


def test_template_literal_prints_every_delimiter():
    assert template_literal("a {{ b }} c") == 'a {{ "{{" }} b {{ "}}" }} c'
    assert template_literal("{single} braces stay") == "{single} braces stay"


@pytest.mark.integration
def test_a_hostile_label_value_is_shown_as_written_when_the_alert_fires(tmp_path):
    alert = next(a for a in absent_alerts(parse_journey(SPEC, "shop.yaml")) if a.kind == "absent")
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": [alert.as_dict()]}]}))
    annotations = dict(alert.annotations)
    # With no input series the absent() alert fires after its `for`; promtool expands its templates.
    # What a person must read: the selector as written, delimiters and all.
    expected = annotations["description"].replace('{{ "{{" }}', "{{").replace('{{ "}}" }}', "}}")
    assert '{{ $labels.job }}{{ template \\"x\\" }}' in expected
    test = tmp_path / "test.yaml"
    test.write_text(yaml.safe_dump({
        "rule_files": [rules.name], "evaluation_interval": "1m",
        "tests": [{"interval": "1m", "input_series": [], "alert_rule_test": [{
            "eval_time": "20m", "alertname": alert.alert,
            # absent() gives the selector's equality matchers as labels
            "exp_alerts": [{"exp_labels": {**dict(alert.labels), "handler": HOSTILE},
                            "exp_annotations": {**annotations, "description": expected}}]}]}],
    }))
    result = subprocess.run([promtool.find_promtool(), "test", "rules", test.name], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
