"""Concrete label values for synthetic series, chosen so that the model's own selectors match them.

A selector's equality matchers fix a label directly (``Selector.labels()``); a regex or a negative
matcher only constrains it. Test input needs one real value per label, e.g. ``code="500"`` for
``code=~"5.."`` and ``code="200"`` for a request that must *not* count as an error.
"""

from __future__ import annotations

import functools
import itertools
import warnings
from collections.abc import Iterable, Sequence

from obsgen.promql import Matcher, Selector, regex as promregex

try:  # Python 3.11 moved the regex parser and deprecated the old module names
    from re import _constants as sre_constants, _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

# Values real exporters emit for the labels instrumentation profiles match with regexes:
# HTTP status codes (prometheus-fastapi-instrumentator, Go clients), Celery task states, gRPC codes.
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "code": ("200", "201", "204", "302", "404", "429", "500", "502", "503"),
    "status": ("200", "201", "404", "500", "503"),
    "status_code": ("200", "201", "404", "500", "503"),
    "state": ("SUCCESS", "FAILURE", "RETRY", "STARTED"),
    "outcome": ("success", "failure", "error"),
    # The built-in profiles' status labels: OpenTelemetry HTTP and gRPC, go-grpc-prometheus.
    "http_response_status_code": ("200", "201", "404", "500", "503"),
    "rpc_grpc_status_code": ("0", "5", "2", "13", "14"),
    "grpc_code": ("OK", "NotFound", "Unknown", "Internal", "Unavailable"),
}
FALLBACK_VALUE = "obsgen-other"


class NoMatchingValue(ValueError):
    """No label set satisfies the selectors it must match while missing those it must not."""


def selector_matches(selector: Selector, labels: dict[str, str]) -> bool:
    """Whether a series (labels including __name__) is selected by selector."""
    if labels.get("__name__") != selector.metric:
        return False
    return all(m.accepts(labels.get(m.label, "")) for m in selector.matchers)


def example_for_regex(pattern: str) -> str | None:
    """The shortest-ish string the regex matches, built from its parse tree; None if unsure."""
    try:
        with warnings.catch_warnings():  # RE2's [[:alpha:]] reads as a nested set to Python
            warnings.simplefilter("ignore", FutureWarning)
            tree = sre_parse.parse(pattern)
        text = _generate(tree)
    except (sre_constants.error, _Unsupported):
        return None
    return text if text is not None and promregex.fullmatch(pattern, text) else None


class _Unsupported(Exception):
    pass


def _generate(items) -> str:
    return "".join(_generate_item(op, arg) for op, arg in items)


def _generate_item(op, arg) -> str:
    if op is sre_constants.LITERAL:
        return chr(arg)
    if op is sre_constants.ANY:
        return "0"  # status codes are the usual reason for a '.' in a label regex
    if op is sre_constants.IN:
        return _from_class(arg)
    if op is sre_constants.BRANCH:
        return _generate(arg[1][0])
    if op is sre_constants.SUBPATTERN:
        return _generate(arg[-1])
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        low, _high, body = arg
        return _generate(body) * max(low, 0)
    if op is sre_constants.AT:
        return ""
    raise _Unsupported(op)


def _from_class(items) -> str:
    if items and items[0][0] is sre_constants.NEGATE:
        for candidate in "a0A_-":
            if not _class_contains(items[1:], candidate):
                return candidate
        raise _Unsupported("negated class")
    for op, arg in items:
        if op is sre_constants.LITERAL:
            return chr(arg)
        if op is sre_constants.RANGE:
            return chr(arg[0])
        if op is sre_constants.CATEGORY:
            return {sre_constants.CATEGORY_DIGIT: "0", sre_constants.CATEGORY_WORD: "a"}.get(arg, "a")
    raise _Unsupported("empty class")


def _class_contains(items, char: str) -> bool:
    for op, arg in items:
        if op is sre_constants.LITERAL and chr(arg) == char:
            return True
        if op is sre_constants.RANGE and arg[0] <= ord(char) <= arg[1]:
            return True
    return False


def candidates(label: str, matchers: Iterable[Matcher]) -> list[str]:
    """Values to try for a label: known real-world values first, then ones derived from the regexes."""
    values = list(KNOWN_VALUES.get(label, ()))
    for matcher in matchers:
        if matcher.op == "=":
            values.append(matcher.value)
        elif matcher.op == "=~":
            example = example_for_regex(matcher.value)
            if example is not None:
                values.append(example)
        elif matcher.op == "!=":
            # the excluded value is what a series must have to stay out of the selector: error!="" selects
            # failed events, and a successful one has error="" (the label absent)
            values.append(matcher.value)
    values.append(FALLBACK_VALUE)
    return list(dict.fromkeys(values))


def series_labels(must_match: Sequence[Selector], must_not: Sequence[Selector] = ()) -> dict[str, str]:
    """A label set (with __name__) selected by every selector in must_match and by none in must_not.

    Labels fixed by equality matchers are taken as they are; every other label any of the
    selectors mentions gets the first candidate value that satisfies all constraints.
    """
    return dict(_series_labels(tuple(must_match), tuple(must_not)))


@functools.lru_cache(maxsize=1024)
def _series_labels(must_match: tuple[Selector, ...], must_not: tuple[Selector, ...]) -> dict[str, str]:
    """series_labels, found once for the same selectors: every world of every scenario writes the same
    series (a copy is returned, as callers add labels to theirs)."""
    if not must_match:
        raise ValueError("a series needs at least one selector it must match")
    metric = must_match[0].metric
    if any(s.metric != metric for s in must_match):
        raise NoMatchingValue(f"selectors name different metrics: {', '.join(s.promql() for s in must_match)}")
    fixed: dict[str, str] = {"__name__": metric}
    for selector in must_match:
        for label, value in selector.labels().items():
            if fixed.setdefault(label, value) != value:
                raise NoMatchingValue(f"label {label} must be both {fixed[label]!r} and {value!r}")
    free = sorted({m.label for s in [*must_match, *must_not] for m in s.matchers} - set(fixed))
    options = [candidates(label, [m for s in [*must_match, *must_not] for m in s.matchers if m.label == label])
               for label in free]
    for combination in itertools.product(*options):
        labels = {**fixed, **dict(zip(free, combination))}
        if all(selector_matches(s, labels) for s in must_match) and \
                not any(selector_matches(s, labels) for s in must_not):
            # An empty value is no label at all in Prometheus.
            return {label: value for label, value in labels.items() if value != ""}
    wanted = " and ".join(s.promql() for s in must_match)
    unwanted = " or ".join(s.promql() for s in must_not) or "nothing"
    raise NoMatchingValue(f"no label values match {wanted} but not {unwanted}")
