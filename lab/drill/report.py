"""A drill's result for people (timeline, alert table, findings) and for CI (JSON). A fleet drill's report
says the shared failure once and each journey's map, alerts and findings under its name."""

from __future__ import annotations

from lab.drill.runner import DrillResult, FleetDrillResult
from lab.drill.timeline import AlertTimes
from obsgen.render import dump_json
from obsgen.table import table


def _role(result: DrillResult, alert: str) -> str:
    return result.expectation.role(alert)


def _scaled_for(result: DrillResult, times: AlertTimes) -> str:
    for scaled in result.scaled:
        if scaled.alert == times.key.alert and scaled.severity == times.key.severity:
            return f"{scaled.original_hold}->{scaled.hold}"
    return "-"


def alert_rows(result: DrillResult) -> list[dict]:
    rows = []
    for times in result.times.values():
        rows.append({
            "alert": times.key.alert,
            "severity": times.key.severity,
            "role": _role(result, times.key.alert),
            "for": _scaled_for(result, times),
            "pending_s": _round(times.pending),
            "firing_s": _round(times.firing),
            "alertmanager_active_s": _round(times.alertmanager_active),
            "alertmanager_inhibited_s": _round(times.alertmanager_suppressed),
            "resolved_s": _round(times.resolved),
            "resolved_after_restore_s": _round(None if times.resolved is None or result.restored_at is None
                                               else times.resolved - result.restored_at),
        })
    order = {"cause": 0, "companion": 1, "symptom": 2, "unexpected": 3}
    return sorted(rows, key=lambda r: (order[r["role"]], r["firing_s"] is None, r["firing_s"] or 0, r["alert"]))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def render_text(result: DrillResult | FleetDrillResult) -> str:
    if isinstance(result, FleetDrillResult):
        return _fleet_text(result)
    out = [
        f"obsgen drill: journey {result.journey}, dependency {result.dependency} ({result.dependency_title}) "
        f"-> stack service {result.service}",
        _scale_line(result),
        *_map_lines(result),
        _held_line(result),
        *_timeline(result),
        "",
        "Alerts from the failure on (seconds since it started; resolved also since the restore)",
        *_alert_table(result),
        *_traffic(result),
        "",
        "Findings",
        *_findings(result),
        "",
        "PASSED: reality matches the impact map" if result.passed else "FAILED: reality differs from the impact map",
    ]
    return "\n".join(out) + "\n"


def _fleet_text(fleet: FleetDrillResult) -> str:
    """The shared failure once (cause, scale, timeline, traffic); per journey its map, alerts and findings."""
    lead = fleet.drills[0]
    journeys = ", ".join(d.journey for d in fleet.drills)
    out = [f"obsgen drill: dependency {lead.dependency} ({lead.dependency_title}), shared by the journeys {journeys} "
           f"-> stack service {lead.service}",
           _scale_line(lead),
           f"shared cause: {lead.expectation.cause}, one alert for every journey that shares {lead.dependency}; "
           f"each journey is judged against its own impact map",
           _held_line(lead),
           *_timeline(lead)]
    for drill in fleet.drills:
        out += ["", f"Journey {drill.journey}: {'passed' if drill.passed else 'FAILED'}",
                *(f"  {line}" for line in _map_lines(drill)),
                "  Alerts from the failure on (seconds since it started; resolved also since the restore)",
                *_alert_table(drill, indent="    "), "  Findings", *_findings(drill, indent="    ")]
    out += _traffic(lead)
    out += ["", f"PASSED: reality matches the impact map of every journey ({journeys})" if fleet.passed
            else f"FAILED: reality differs from the impact map of {', '.join(fleet.failed_journeys)}"]
    return "\n".join(out) + "\n"


def _scale_line(result: DrillResult) -> str:
    return (f"drill time scale: {result.scale.describe()}; a drill copy of the rules in {result.rules_dir} was loaded "
            f"into Prometheus for the drill and the generated rules were reloaded after it")


def _map_lines(result: DrillResult) -> list[str]:
    return [f"impact map: cause {result.expectation.cause}; symptoms (inhibited while it fires): "
            f"{', '.join(result.expectation.symptoms) or 'none'}",
            f"after it resolves: {result.expectation.companion or 'no companion'} holds back "
            f"{', '.join(result.expectation.held_after) or 'nothing'} while their windows reset"]


def _held_line(result: DrillResult) -> str:
    return (f"failure held {result.hold:g}s after the cause reached Alertmanager (the application's own timeouts "
            f"and retries run in real time, unscaled); resolution awaited up to {result.resolve_timeout:.0f}s")


def _timeline(result: DrillResult) -> list[str]:
    return ["", "Timeline (seconds since the failure started)"] + [f"  {event.line()}" for event in result.events]


def _alert_table(result: DrillResult, indent: str = "  ") -> list[str]:
    headers = ["alert", "severity", "role", "for", "pending", "firing", "Alertmanager", "resolved", "after restore"]
    rows = [[r["alert"], r["severity"], r["role"], r["for"], _fmt(r["pending_s"]), _fmt(r["firing_s"]),
             _am(r), _fmt(r["resolved_s"]), _fmt(r["resolved_after_restore_s"])] for r in alert_rows(result)]
    return table(headers, rows, indent=indent) if rows else [f"{indent}(no alert of the journey went pending)"]


def _traffic(result: DrillResult) -> list[str]:
    if result.traffic is None:
        return []
    counts = ", ".join(f"{k}: {v}" for k, v in result.traffic.by_status().items())
    return ["", f"traffic: {result.traffic.total()} requests ({counts}); {result.traffic.dropped} visits dropped "
                f"while every worker waited"]


def _findings(result: DrillResult, indent: str = "  ") -> list[str]:
    return [f"{indent}{f.level:4}  {f.message}" for f in result.findings]


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}s"


def _am(row: dict) -> str:
    parts = []
    if row["alertmanager_active_s"] is not None:
        parts.append(f"active {_fmt(row['alertmanager_active_s'])}")
    if row["alertmanager_inhibited_s"] is not None:
        parts.append(f"inhibited {_fmt(row['alertmanager_inhibited_s'])}")
    return ", ".join(parts) or "-"


def render_json(result: DrillResult | FleetDrillResult) -> str:
    if isinstance(result, FleetDrillResult):
        lead = result.drills[0]
        return dump_json({**_failure(lead), "cause": lead.expectation.cause,
                          "journeys": [{"journey": d.journey, **_judged(d)} for d in result.drills],
                          "failed_journeys": result.failed_journeys, "passed": result.passed})
    return dump_json({"journey": result.journey, **_failure(result), **_judged(result)})


def _failure(result: DrillResult) -> dict:
    """What the journeys of one drill share: the failure, its scale, timeline and traffic."""
    return {
        "dependency": result.dependency,
        "service": result.service,
        "scale": {"factor": result.scale.factor, "evaluation_interval_s": result.scale.evaluation_interval,
                  "min_window_s": result.scale.min_window, "description": result.scale.describe()},
        "rules_dir": result.rules_dir,
        "hold_s": result.hold,
        "resolve_timeout_s": _round(result.resolve_timeout),
        "restored_at_s": _round(result.restored_at),
        "timeline": [{"t": round(e.t, 1), "subject": e.subject, "what": e.what} for e in result.events],
        "traffic": None if result.traffic is None else {"responses": result.traffic.by_status(),
                                                        "dropped_visits": result.traffic.dropped},
    }


def _judged(result: DrillResult) -> dict:
    """One journey's expectation from its impact map, its alerts and the verdict on them."""
    return {
        "cause": result.expectation.cause,
        "symptoms": list(result.expectation.symptoms),
        "companion": result.expectation.companion,
        "held_after": list(result.expectation.held_after),
        "expected": list(result.expectation.required),
        "alerts": alert_rows(result),
        "findings": [{"level": f.level, "message": f.message} for f in result.findings],
        "passed": result.passed,
    }
