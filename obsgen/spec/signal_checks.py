"""Checks of a stage's resolved signals that a schema cannot express: errors that are a real part of
the requests, bucket bounds a histogram can have, and alert thresholds its expression can cross.
Each returns a message saying why the spec cannot mean what it says and what to write instead;
the resolver positions it.
"""

from __future__ import annotations

import math

from obsgen.model import DEFAULT_BUCKETS, Histogram
from obsgen.promql import Matcher, Selector, format_number, parse_duration, regex as promregex


def duplicate_buckets(buckets: list[float]) -> list[tuple[int, str]]:
    """(index, problem) for bounds a classic histogram cannot have: one bucket per bound, +Inf implied."""
    problems = []
    seen: dict[float, int] = {}
    for index, bound in enumerate(buckets):
        if not math.isfinite(bound):
            problems.append((index, f"bucket bound {bound} is not a finite number; the +Inf bucket is implied, "
                                    f"list only the finite bounds"))
        elif bound in seen:
            problems.append((index, f"bucket bound {format_number(bound)} is listed twice (also item "
                                    f"{seen[bound] + 1}): a histogram has one le=\"{format_number(bound)}\" series, "
                                    f"so the buckets cannot be told apart; remove the duplicate"))
        else:
            seen[bound] = index
    return problems


def unreachable_quantile(threshold: str, histogram: Histogram) -> str | None:
    """A quantile over classic buckets never exceeds the last finite bound (histogram_quantile
    returns that bound for anything in +Inf), so a threshold at or above it never fires."""
    if histogram.native:
        return None
    declared = bool(histogram.buckets)
    bounds = [b for b in histogram.buckets or (histogram.in_unit(b) for b in DEFAULT_BUCKETS) if math.isfinite(b)]
    if not bounds:
        return None
    last = max(bounds)
    if histogram.in_unit(parse_duration(threshold)) < last - 1e-9:
        return None
    shown = f"{format_number(last)}s" if histogram.scale == 1 else f"{format_number(last)} {histogram.unit}"
    whose = "its declared latency.buckets" if declared else \
        "Prometheus' client default buckets, assumed as the stage declares no latency.buckets"
    return (f"latency threshold {threshold} is not below the histogram's last finite bucket "
            f"({shown}, from {whose}): histogram_quantile never returns more than that bound, so this alert could "
            f"never fire; lower the threshold{'' if declared else ' or declare the buckets your histogram has'}")


ERROR_RATIO_CEILING = 1.0


def unreachable_error_ratio(threshold: float) -> str | None:
    if threshold < ERROR_RATIO_CEILING:
        return None
    return (f"errorRate threshold {format_number(threshold)} can never be exceeded: an error ratio is at most 1 "
            f"(every request failed), so this alert could never fire; use a ratio below 1 (0.05 = 5%)")


def errors_same_as_requests(requests: Selector, errors: Selector) -> str | None:
    if errors.metric != requests.metric or set(errors.matchers) != set(requests.matchers):
        return None
    return (f"errors select exactly the requests ({requests.promql()}): every request would count as a failure "
            f"and the error ratio would always be 1; add errors.match (e.g. code: {{regex: \"5..\"}}) or name "
            f"the counter of failures in errors.metric")


def errors_outside_requests(requests: Selector, errors: Selector) -> tuple[str, str] | None:
    """(label, problem) when a matcher of the errors excludes every request: errors on the requests'
    metric replace the requests' matcher on a label, and the two may select disjoint values."""
    if errors.metric != requests.metric:
        return None
    wanted = {m.label: m for m in requests.matchers}
    for matcher in errors.matchers:
        other = wanted.get(matcher.label)
        if other is not None and other != matcher and _disjoint(other, matcher):
            return matcher.label, (f"the requests match {other.promql()} but the errors {matcher.promql()}: no "
                                   f"request can be an error, so the error ratio would always be 0; drop "
                                   f"{matcher.label} from the stage's match (or match failures on another label)")
    return None


def _disjoint(first: Matcher, second: Matcher) -> bool:
    """Whether no value satisfies both; decided only when one of them is an equality (regexes
    against regexes are left alone: a false alarm would refuse a valid spec)."""
    try:
        if first.op == "=":
            return not second.accepts(first.value)
        if second.op == "=":
            return not first.accepts(second.value)
    except promregex.RegexError:
        return False  # reported, positioned, by the resolver's regex check
    return False
