"""Safe construction of PromQL fragments.

Every name that reaches a query is checked against Prometheus' grammar, and every label value
is rendered as a quoted, escaped string literal, so spec content can never change a query's meaning.

Names are written bare when they fit the legacy grammar (``[a-zA-Z_:][a-zA-Z0-9_:]*``), so output
for such names is what every Prometheus reads.  Other UTF-8 names (``service.name``, which
Prometheus 3 accepts; whether a spec may use them is spec.nameValidation's business) are quoted
as Prometheus 3 writes them: ``{"http.server.duration","service.name"="x"}``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from obsgen.promql import regex as promregex

LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
# Prometheus' own grammar (model.ParseDuration): units from largest to smallest, each at most once.
_DURATION = re.compile(r"(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?"
                       r"(?:([0-9]+)ms)?")
_UNIT_SECONDS = (31536000, 604800, 86400, 3600, 60, 1, 0.001)
OPERATORS = ("=", "!=", "=~", "!~")


def is_utf8_name(name: str) -> bool:
    """Prometheus 3's rule for metric and label names: any non-empty valid UTF-8."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return name != ""


def label_name(name: str) -> str:
    """A label name as PromQL writes it: bare when legacy, else a quoted string (Prometheus 3)."""
    return name if LABEL_NAME.match(name) else string_literal(name)


def string_literal(value: str) -> str:
    """A PromQL double-quoted string, ASCII only. PromQL unquotes with Go's rules, which accept JSON's
    escapes except UTF-16 surrogate pairs: a character beyond U+FFFF is one \\U escape instead."""
    if value.isascii() or max(value) <= "\uffff":
        return json.dumps(value, ensure_ascii=True)
    return '"' + "".join(f"\\U{ord(c):08x}" if c > "\uffff" else json.dumps(c, ensure_ascii=True)[1:-1]
                         for c in value) + '"'


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as '1h30m' (the one parser obsgen has: the spec, the CLI's
    options, rule tests and the lint all read durations here). ValueError when Prometheus would refuse it."""
    match = _DURATION.fullmatch(text)
    if not match or not any(match.groups()):
        raise ValueError(f"not a Prometheus duration: {text!r}")
    return sum(int(count) * unit for count, unit in zip(match.groups(), _UNIT_SECONDS) if count)


def format_duration(seconds: float) -> str:
    """The shortest Prometheus duration for a number of seconds (1h30m, 5m, 250ms)."""
    if seconds <= 0:
        return "0s"
    millis = round(seconds * 1000)
    text = ""
    for unit, size in (("d", 86400000), ("h", 3600000), ("m", 60000), ("s", 1000), ("ms", 1)):
        count, millis = divmod(millis, size)
        if count:
            text += f"{count}{unit}"
    return text


def format_number(value: float) -> str:
    """Numbers as a person writes them in PromQL: 0.001, 14.4, 1000 (no float noise, no exponent)."""
    text = f"{value:.12f}".rstrip("0").rstrip(".")
    return text or "0"


@dataclass(frozen=True, order=True)
class Matcher:
    label: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if not is_utf8_name(self.label):
            raise ValueError(f"invalid label name {self.label!r}")
        if self.op not in OPERATORS:
            raise ValueError(f"invalid matcher operator {self.op!r}")

    def promql(self) -> str:
        return f"{label_name(self.label)}{self.op}{string_literal(self.value)}"

    def accepts(self, value: str) -> bool:
        """Prometheus semantics for a label's value: RE2 regexes, fully anchored (obsgen.promql.regex),
        and a missing label is the empty string. Raises promregex.RegexError for a regex
        Prometheus would refuse."""
        if self.op == "=":
            return value == self.value
        if self.op == "!=":
            return value != self.value
        matched = promregex.fullmatch(self.value, value)
        return matched if self.op == "=~" else not matched


@dataclass(frozen=True)
class Selector:
    """A metric name with label matchers, in the order they were written."""

    metric: str
    matchers: tuple[Matcher, ...] = ()

    def __post_init__(self) -> None:
        if not is_utf8_name(self.metric):
            raise ValueError(f"invalid metric name {self.metric!r}")

    def with_matchers(self, *extra: Matcher) -> "Selector":
        """Matchers on the same label are replaced, so a stage can override a profile's."""
        replaced = {m.label for m in extra}
        kept = tuple(m for m in self.matchers if m.label not in replaced)
        return Selector(self.metric, kept + tuple(extra))

    def renamed(self, metric: str) -> "Selector":
        return Selector(metric, self.matchers)

    def promql(self) -> str:
        matchers = [m.promql() for m in self.matchers]
        if not METRIC_NAME.match(self.metric):  # Prometheus 3 writes a UTF-8 name first inside the braces
            return f"{{{','.join([string_literal(self.metric), *matchers])}}}"
        return f"{self.metric}{{{','.join(matchers)}}}" if matchers else self.metric

    def labels(self) -> dict[str, str]:
        """Equality matchers as a label set, as promtool test input series need."""
        return {m.label: m.value for m in self.matchers if m.op == "="}


def series(metric: str, labels: dict[str, str]) -> str:
    """A series with its labels (sorted), as promtool test input writes it: always with braces."""
    inner = ",".join(f"{label_name(k)}={string_literal(v)}" for k, v in sorted(labels.items()))
    if not METRIC_NAME.match(metric):
        return f"{{{','.join([string_literal(metric), *([inner] if inner else [])])}}}"
    return f"{metric}{{{inner}}}"


def le_matcher(seconds: float) -> Matcher:
    """Select one histogram bucket.

    Go clients write integral bounds as "10" and Python's prometheus_client as "10.0", and
    Prometheus 2.x does not normalise them, so integral bounds match either spelling.
    """
    text = format_number(seconds)
    if "." in text:
        return Matcher("le", "=", text)
    return Matcher("le", "=~", f"{text}(\\.0)?")


def rate_sum(selector: Selector, window: float, by: tuple[str, ...] = ()) -> str:
    grouping = f" by ({', '.join(by)})" if by else ""
    return f"sum{grouping}(rate({selector.promql()}[{format_duration(window)}]))"
