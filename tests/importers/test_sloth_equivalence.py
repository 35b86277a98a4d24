"""An imported Sloth SLO alerts as Sloth's own rules do: both rule sets, Sloth's (`sloth generate`) and obsgen's
(`obsgen build` of the imported spec), run in one real promtool test on the same synthetic traffic. Their 5m SLIs
must be equal at every step, and their page and ticket alerts must fire at the same error ratios: just above and
just below 14.4x the 0.1% budget of Sloth's 30d period."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from obsgen.tools.promtool import find_promtool
from tests.conftest import ROOT

DATA = Path(__file__).parent / "data" / "sloth"
SLOTH = Path(os.environ.get("OBSGEN_SLOTH", Path.home() / ".cache" / "obsgen" / "bin" / "sloth"))
SELECTOR = 'http_request_duration_seconds_count{job="myservice",code="%s"}'
HISTORY_MIN, INCIDENT_MIN = 300, 70  # 5h without errors, then 70 min at the ratio under test
PER_MINUTE = 1000


def _build(tmp_path: Path) -> Path:
    spec = tmp_path / "myservice.yaml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "obsgen", "import", "sloth", str(DATA / "getting-started.yml"), "-o",
                    str(spec)], check=True, env=env, capture_output=True)
    subprocess.run([sys.executable, "-m", "obsgen", "build", str(spec), "--out", str(tmp_path / "out"),
                    "--no-test"], check=True, env=env, capture_output=True)
    return tmp_path / "out" / "myservice" / "prometheus"


def _sloth_rules(tmp_path: Path) -> Path:
    out = tmp_path / "sloth.rules.yaml"
    subprocess.run([str(SLOTH), "generate", "-i", str(DATA / "getting-started.yml"), "-o", str(out)],
                   check=True, capture_output=True)
    return out


def _series(ratio: float) -> list[dict]:
    """A counter per code: PER_MINUTE requests a minute, `ratio` of them 500s once the incident starts."""
    bad = round(ratio * PER_MINUTE, 6)
    errors = f"0+0x{HISTORY_MIN} 0+{bad}x{INCIDENT_MIN}"
    ok = f"0+{PER_MINUTE}x{HISTORY_MIN} {PER_MINUTE * HISTORY_MIN}+{PER_MINUTE - bad}x{INCIDENT_MIN}"
    return [{"series": SELECTOR % "500", "values": errors}, {"series": SELECTOR % "200", "values": ok}]


def _firing(tool_label: str, severity: str) -> str:
    return f'count(ALERTS{{alertname="MyServiceHighErrorRate",alertstate="firing",{tool_label}="{severity}"}})'


def _test(ratio: float, fires: bool) -> dict:
    at = f"{HISTORY_MIN + INCIDENT_MIN - 1}m"
    same_sli = ('abs(slo:sli_error:ratio_rate5m{sloth_slo="requests-availability"} - ignoring(journey, slo) '
                'slo:sli_error:ratio_rate5m{slo="requests-availability"}) > 1e-12')
    page = [{"labels": "{}", "value": 1}] if fires else []
    tests = [{"expr": _firing("sloth_severity", "page"), "eval_time": at, "exp_samples": page},
             {"expr": _firing("severity", "page"), "eval_time": at, "exp_samples": page}]
    # The 1x (6h and 3d) ticket burn is passed at both ratios after 25 minutes; both tickets fire.
    tests += [{"expr": _firing(label, "ticket"), "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]}
              for label in ("sloth_severity", "severity")]
    tests += [{"expr": f"count({same_sli})", "eval_time": f"{minute}m", "exp_samples": []}
              for minute in (HISTORY_MIN - 10, HISTORY_MIN + 3, HISTORY_MIN + 30, HISTORY_MIN + INCIDENT_MIN - 1)]
    # ... at the error ratio the traffic has (float rounding aside)
    hour = 'slo:sli_error:ratio_rate1h{journey="myservice",slo="requests-availability"}'
    tests.append({"expr": f"count(({hour} > {ratio - 1e-9}) < {ratio + 1e-9})", "eval_time": at,
                  "exp_samples": [{"labels": "{}", "value": 1}]})
    return {"interval": "1m", "input_series": _series(ratio), "promql_expr_test": tests}


@pytest.mark.integration
def test_imported_sloth_slo_pages_at_sloths_burn_rate(tmp_path):
    if not SLOTH.exists():
        pytest.skip("Sloth is not built (scripts/go-tools install sloth)")
    ours = _build(tmp_path)
    files = [str(_sloth_rules(tmp_path)), str(ours / "recording.rules.yaml"), str(ours / "alerts.rules.yaml")]
    # 14.4 x 0.1% = 1.44%: over the last hour (the 6h window holds a sixth of it, under 6x), pages above only.
    tests = {"rule_files": files, "evaluation_interval": "1m",
             "tests": [_test(0.0145, fires=True), _test(0.0143, fires=False)]}
    test_file = tmp_path / "equivalence.tests.yaml"
    test_file.write_text(yaml.safe_dump(tests, sort_keys=False))
    result = subprocess.run([find_promtool(), "test", "rules", str(test_file)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
