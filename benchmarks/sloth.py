"""The same SLO, written for Sloth: a pinned Sloth binary and a Sloth spec made from obsgen's model.

Used by benchmarks/alert_quality.py --vs-sloth to compare the two rule sets on the same promtool
scenarios. The Sloth spec (format `prometheus/v1`, https://sloth.dev) takes from the model exactly
what obsgen's SLI rules use: the objective, the period, and the error and total queries of
obsgen.artifacts.prometheus.sli (rendered by the same functions, with Sloth's `{{.window}}` as the range).
Sloth's own alert windows are its defaults, which are obsgen's defaults too (14.4x 1h/5m and
6x 6h/30m page, 3x 1d/2h and 1x 3d/6h ticket, for a 30d period); `windows_match` checks that.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from obsgen.model import Journey, Slo
from obsgen.promql import Selector, format_duration, format_number, rate_sum

ENV_VAR = "OBSGEN_SLOTH"
GO_TOOLS = Path(__file__).resolve().parent.parent / "scripts" / "go-tools"

# The Sloth defaults (its "Google SRE" windows for a 30-day period) as (severity, factor, long, short).
SLOTH_DEFAULT_WINDOWS = {("page", 14.4, 3600, 300), ("page", 6.0, 21600, 1800),
                         ("ticket", 3.0, 86400, 7200), ("ticket", 1.0, 259200, 21600)}
# A window no SLI uses, rendered by obsgen's own query functions and then replaced by Sloth's template.
_SENTINEL = 11 * 86400 + 11 * 3600 + 11 * 60 + 11


def binary() -> Path:
    """The pinned Sloth binary: $OBSGEN_SLOTH, else scripts/go-tools' build (made now if missing)."""
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    subprocess.run([str(GO_TOOLS), "install", "sloth"], check=True)
    return Path(subprocess.run([str(GO_TOOLS), "path", "sloth"], capture_output=True, text=True, check=True).stdout.strip())


def version() -> str:
    """The pinned release from scripts/go-tools' table (a `go install` build itself says "dev")."""
    out = subprocess.run([str(binary()), "version"], capture_output=True, text=True, check=True).stdout.strip()
    if out not in ("", "dev"):
        return out
    listing = subprocess.run([str(GO_TOOLS), "list"], capture_output=True, text=True, check=True).stdout
    return next(line.split()[1].rsplit("@", 1)[1] for line in listing.splitlines() if line.startswith("sloth "))


def windows_match(slo: Slo) -> bool:
    """Whether the SLO alerts on Sloth's default windows, so the comparison compares like with like."""
    ours = {(b.severity, b.factor, b.long, b.short) for b in slo.burn_rates}
    return slo.window == 30 * 86400 and ours == SLOTH_DEFAULT_WINDOWS


def _templated(query: str) -> str:
    sentinel = f"[{format_duration(_SENTINEL)}]"
    assert sentinel in query, query
    return query.replace(sentinel, "[{{.window}}]")


def _events(selectors: list[Selector]) -> str:
    # The terms of obsgen.artifacts.prometheus.sli.sum_terms: a stage without events yet counts as zero.
    return " + ".join(f"({rate_sum(s, _SENTINEL)} or vector(0))" for s in selectors)


def event_queries(journey: Journey, slo: Slo) -> tuple[str, str]:
    """(error_query, total_query) with obsgen's SLI meaning: bad events / valid events (> 0)."""
    if slo.type == "availability":
        stages = [journey.stage(name) for name in slo.stages]
        bad, valid = _events([s.errors for s in stages]), _events([s.requests for s in stages])
    elif slo.type == "latency":
        histograms = [journey.stage(name).latency for name in slo.stages]
        valid = _events([h.count for h in histograms])
        bad = f"({valid}) - ({_events([h.under(slo.threshold) for h in histograms])})"
    else:
        raise ValueError(f"SLO {slo.name}: type {slo.type} is not compared with Sloth")
    return _templated(bad), _templated(f"({valid}) > 0")


def spec(journey: Journey, slo: Slo) -> dict:
    """A Sloth prometheus/v1 spec of one SLO; its alerts carry obsgen's name and severity labels."""
    bad, total = event_queries(journey, slo)
    return {
        "version": "prometheus/v1",
        "service": journey.name,
        "slos": [{
            "name": slo.name,
            "objective": float(format_number(slo.objective * 100)),
            "description": slo.title,
            "sli": {"events": {"error_query": bad, "total_query": total}},
            "alerting": {
                "name": slo.alert_name,
                "page_alert": {"labels": {"severity": "page"}},
                "ticket_alert": {"labels": {"severity": "ticket"}},
            },
        }],
    }


def generate(journey: Journey, slo: Slo, workdir: Path) -> dict:
    """Sloth's rule file for the SLO (the spec is kept beside it in workdir)."""
    source, target = workdir / f"sloth-{slo.name}.yaml", workdir / f"sloth-{slo.name}.rules.yaml"
    source.write_text(yaml.safe_dump(spec(journey, slo), sort_keys=False), encoding="utf-8")
    subprocess.run([str(binary()), "generate", "-i", str(source), "-o", str(target)],
                   capture_output=True, text=True, check=True)
    return yaml.safe_load(target.read_text(encoding="utf-8"))
