"""Has Prometheus loaded the generated rule groups, do they evaluate cleanly, and what do they cost?"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Callable

from obsgen.clients.http import ApiError
from obsgen.clients.prometheus import PrometheusApi
from obsgen.promql import format_duration, parse_duration
from obsgen.verify.artifacts import Built, RuleSpec
from obsgen.verify.exprs import UnparsableExpr, fingerprint
from obsgen.verify.report import RuleGroupCheck

# Prometheus' own gauges of each group's latest evaluation, as it scrapes itself. One evaluation
# varies with whatever else the machine does, so verify reports them over the window.
LAST_DURATION = "prometheus_rule_group_last_duration_seconds"
LAST_SAMPLES = "prometheus_rule_group_last_evaluation_samples"


def over_window(function: str, metric: str, window: float) -> str:
    return f"{function}({metric}[{format_duration(window)}])"


def _identity(kind: str, name: str, labels: dict) -> tuple:
    return kind, name, tuple(sorted((labels or {}).items()))


def _meaning(expr: str, hold_seconds: float) -> tuple:
    try:
        return fingerprint(expr), hold_seconds
    except UnparsableExpr:
        return (expr,), hold_seconds


def _expected(rules: list[RuleSpec]) -> dict[tuple, tuple]:
    return {_identity(r.kind, r.name, dict(r.labels)): _meaning(r.expr, parse_duration(r.hold) if r.hold else 0)
            for r in rules}


def _loaded(group: dict) -> dict[tuple, tuple]:
    return {_identity(r.get("type"), r["name"], r.get("labels")): _meaning(r.get("query", ""), r.get("duration") or 0)
            for r in group["rules"]}


def _pick(candidates: list[dict], artifact_file: str, journey: str) -> dict | None:
    """Prometheus may load a group name from several files: prefer this journey's generated file."""
    wanted = f"{journey}/{artifact_file}"
    preferred = [g for g in candidates if g.get("file", "").endswith(wanted)]
    return (preferred or candidates or [None])[0]


def _metric_by_group(api: PrometheusApi, metric: str) -> dict[str, float]:
    """Prometheus' own per-group gauges, keyed by rule_group ("<file>;<group>")."""
    try:
        result = api.query(metric).data["result"]
    except ApiError:
        return {}
    return {s["metric"].get("rule_group", ""): float(s["value"][1]) for s in result}


def _gauge(values: dict[str, float], file: str, group: str) -> float | None:
    return values.get(f"{file};{group}")


def _generated(loaded: list[dict], built: Built) -> dict[str, dict]:
    """The build's groups as Prometheus loaded them, by name (those it has loaded)."""
    picked = {name: _pick([g for g in loaded if g["name"] == name], artifact_file, built.journey.name)
              for artifact_file, name in built.groups}
    return {name: group for name, group in picked.items() if group}


def never_evaluated(loaded: list[dict], built: Built) -> dict[str, float]:
    """The generated groups Prometheus has loaded but not evaluated yet, with their intervals. Right after a
    reload, a group's first evaluation comes up to one interval later (2m30s for the SLO-window group): until
    then its rules' health is unknown and the panels reading them are empty, which is no fault of theirs."""
    return _unevaluated(_generated(loaded, built))


def _unevaluated(groups: dict[str, dict]) -> dict[str, float]:
    return {name: float(group.get("interval") or 0) for name, group in groups.items()
            if group["rules"] and all(r.get("health") == "unknown" and not r.get("lastError") for r in group["rules"])}


# Prometheus writes RFC 3339 with up to nine fractional digits; Python reads six.
_FRACTION = re.compile(r"(\.\d{6})\d+")


def evaluated_at(group: dict) -> float | None:
    """When Prometheus last evaluated the group (epoch seconds); None before its first evaluation."""
    stamp = _FRACTION.sub(r"\1", group.get("lastEvaluation") or "").replace("Z", "+00:00")
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when.timestamp() if when.year > 1 else None


def await_first_evaluations(api: PrometheusApi, built: Built, say: Callable[[str], None],
                            sleep: Callable[[float], None] = time.sleep, poll: float = 1.0) -> None:
    """Wait for the first evaluation of the groups Prometheus has just loaded, then for one evaluation of
    every generated group after it (the groups that read their records), each wait bounded by the longest
    interval involved; what still has none after that is reported by check_rule_groups."""
    pending = never_evaluated(api.rules(), built)
    if not pending:
        return
    say(f"verify: waiting up to {format_duration(max(pending.values()))} for the first evaluation of "
        f"{len(pending)} rule group(s) Prometheus has just loaded: {', '.join(sorted(pending))}")
    first = _poll(api, built, sleep, poll, max(pending.values()),
                  lambda groups: not pending.keys() & _unevaluated(groups).keys())
    latest_first = max((evaluated_at(first[name]) or 0.0 for name in pending if name in first), default=0.0)
    longest = max(float(g.get("interval") or 0) for g in first.values())
    _poll(api, built, sleep, poll, longest,
          lambda groups: all((evaluated_at(g) or 0.0) > latest_first for g in groups.values()))


def _poll(api: PrometheusApi, built: Built, sleep: Callable[[float], None], poll: float, bound: float,
          done: Callable[[dict[str, dict]], bool]) -> dict[str, dict]:
    groups, waited = _generated(api.rules(), built), 0.0
    while not done(groups) and waited < bound + poll:
        sleep(poll)
        waited += poll
        groups = _generated(api.rules(), built)
    return groups


def check_rule_groups(api: PrometheusApi, built: Built, window: float) -> list[RuleGroupCheck]:
    loaded = api.rules()
    costs = {
        "avg": _metric_by_group(api, over_window("avg_over_time", LAST_DURATION, window)),
        "max": _metric_by_group(api, over_window("max_over_time", LAST_DURATION, window)),
        "samples": _metric_by_group(api, over_window("avg_over_time", LAST_SAMPLES, window)),
    }
    checks = []
    for artifact_file, name in built.groups:
        expected = [r for r in built.rules if r.group == name and r.file == artifact_file]
        group = _pick([g for g in loaded if g["name"] == name], artifact_file, built.journey.name)
        if group is None:
            checks.append(RuleGroupCheck(name, artifact_file, len(expected), "missing",
                                         "Prometheus has not loaded this group (rule_files, or reload after build?)",
                                         None, None, None, None, None))
            continue
        checks.append(_group_check(group, artifact_file, expected, costs))
    return checks


def _group_check(group: dict, artifact_file: str, expected: list[RuleSpec],
                 costs: dict[str, dict[str, float]]) -> RuleGroupCheck:
    problems = []
    want, have = _expected(expected), _loaded(group)
    if want != have:
        missing = [_name(k) for k in sorted(set(want) - set(have))]
        extra = [_name(k) for k in sorted(set(have) - set(want))]
        changed = [_name(k) for k in sorted(set(want) & set(have)) if want[k] != have[k]]
        problems.append("loaded rules differ from a fresh build of the spec (stale: run `obsgen build` and reload)"
                        + _listed("not loaded", missing) + _listed("not generated", extra)
                        + _listed("expr or for differs", changed))
        status = "stale"
    else:
        status = "ok"
    broken = [r for r in group["rules"] if r.get("health") != "ok" or r.get("lastError")]
    for rule in broken:
        problems.append(f"{rule['name']}: health {rule.get('health')}: {rule.get('lastError') or 'no evaluation yet'}")
    if broken:
        status = "error"
    file = group.get("file", "")
    return RuleGroupCheck(
        group=group["name"], file=file, rules=len(group["rules"]), status=status, detail="; ".join(problems),
        interval_seconds=group.get("interval"), evaluation_seconds=group.get("evaluationTime"),
        avg_duration_seconds=_gauge(costs.get("avg", {}), file, group["name"]),
        max_duration_seconds=_gauge(costs.get("max", {}), file, group["name"]),
        samples=_gauge(costs.get("samples", {}), file, group["name"]),
    )


def _name(identity: tuple) -> str:
    _, name, labels = identity
    shown = ",".join(f"{k}={v}" for k, v in labels if k in ("stage", "slo", "severity", "dependency"))
    return f"{name}{{{shown}}}" if shown else name


def _listed(what: str, names: list[str], shown: int = 3) -> str:
    if not names:
        return ""
    more = f" (+{len(names) - shown} more)" if len(names) > shown else ""
    return f"; {what}: {', '.join(names[:shown])}{more}"
