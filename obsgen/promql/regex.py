"""Label-matcher regexes as Prometheus reads them: RE2 syntax, fully anchored, and (since
Prometheus 3) ``.`` matching newlines.

Prometheus compiles ``=~``/``!~`` values with Go's ``regexp`` (RE2 syntax, Perl flags), so POSIX
classes (``[[:alpha:]]``) and ``\\Q…\\E`` are valid, while look-around and back-references are not.
Python's ``re`` disagrees both ways, so every check and evaluation of a matcher regex goes
through this module (google-re2, the RE2 library Go's regexp reimplements).  It is the one
place that knows how each Prometheus major version anchors a regex.
"""

from __future__ import annotations

import re
from functools import lru_cache

import re2

PROMETHEUS_2 = 2
PROMETHEUS_3 = 3
# Prometheus 3 compiles "^(?s:" + v + ")$" (release notes 3.0: "'.' now matches newlines");
# Prometheus 2 compiled "^(?:" + v + ")$".
_ANCHORED = {PROMETHEUS_2: "^(?:{})$", PROMETHEUS_3: "^(?s:{})$"}
# Label values never contain newlines in practice, so the Prometheus the output targets today
# decides the default.
DEFAULT_PROMETHEUS = PROMETHEUS_3

# What Go's regexp.QuoteMeta escapes: every other character, control and non-ASCII ones included, is
# itself in a regex, and a backslash before one of those is an error in RE2 and Go.
_META = re.compile(r"([\\.+*?()|\[\]{}^$])")

# The one RE2 escape Go's regexp/syntax refuses: \C (any byte), after an even number of backslashes.
_ANY_BYTE_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\C")


class RegexError(ValueError):
    """A matcher regex Prometheus would refuse; the message says why, as RE2 does."""


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # errors are raised, not printed on stderr
    return options


_OPTIONS = _options()


@lru_cache(maxsize=1024)
def _compile(text: str):
    try:
        return re2.compile(text, options=_OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else str(error)
        raise RegexError(reason) from None


def quote_meta(text: str) -> str:
    """A regex matching exactly ``text``, as Go's regexp.QuoteMeta writes it."""
    return _META.sub(r"\\\1", text)


def check(pattern: str) -> None:
    """Raise RegexError unless Prometheus accepts ``pattern`` as a matcher regex.

    The pattern is parsed on its own first, as Prometheus 3 does, so ``a)|(b`` is refused even
    though it would compile once wrapped in ``^(?:…)$``."""
    if _ANY_BYTE_ESCAPE.search(pattern):
        raise RegexError("invalid escape sequence: \\C (Go's regexp has no any-byte escape)")
    _compile(pattern)


def fullmatch(pattern: str, value: str, prometheus: int = DEFAULT_PROMETHEUS) -> bool:
    """Whether a label value matches ``pattern`` as a Prometheus of that major version decides."""
    check(pattern)
    return _compile(_ANCHORED[prometheus].format(pattern)).search(value) is not None
