"""Thin, structured wrapper around the ``promtool`` binary.

promtool is the reference implementation of Prometheus' rule-file and PromQL
validation, so we call it instead of re-implementing its checks.  Its output is
meant for humans; this module turns it into data (``Finding``,
``RuleTestResult``) so ``obsgen build`` and ``obsgen lint`` can report
``file:line:col`` and decide exit codes.  The parsers follow promtool 2.42's
formats (Debian bookworm) and keep unknown lines as findings rather than
dropping them, so a format change degrades into a less precise message, not a
silent pass.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import subprocess
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import yaml

from obsgen.errors import ObsgenError
from obsgen.tools import PROMTOOL_ENV, find_tool, run_tool

ENV_VAR = PROMTOOL_ENV

# Said where obsgen may run from a wheel, without scripts/: every way to get it, checkout first.
INSTALL_HINT = ("promtool not found: in an obsgen checkout run `scripts/go-tools install promtool` (Prometheus 3, "
                "pinned); elsewhere `apt-get install prometheus` or promtool from a release at "
                "https://prometheus.io/download/ on PATH, or point $OBSGEN_PROMTOOL at a promtool binary")


class PromtoolNotFound(ObsgenError, RuntimeError):
    """promtool is not installed or $OBSGEN_PROMTOOL points nowhere."""

    exit_code = 2


class PromtoolError(RuntimeError):
    """promtool failed in a way we could not turn into findings (a crash, a usage error)."""


@dataclass(frozen=True, order=True)
class Finding:
    """One problem promtool reported.

    ``line``/``col`` are 1-based positions in ``file`` when promtool gives them.
    For PromQL parse errors promtool also gives the position inside the
    expression (``expr_line``/``expr_col``), which callers can map back into
    block scalars.  ``rule_index`` is 0-based within ``group``.
    """

    file: str
    message: str
    line: int | None = None
    col: int | None = None
    group: str | None = None
    rule_index: int | None = None
    rule_name: str | None = None
    expr_line: int | None = None
    expr_col: int | None = None

    @property
    def is_parse_error(self) -> bool:
        return self.expr_line is not None


@dataclass(frozen=True)
class RuleTestFailure:
    """One failed assertion (or setup error) from ``promtool test rules``.

    ``kind`` is ``alert`` (alert_rule_test mismatch), ``expr``
    (promql_expr_test mismatch or query error), ``eval`` (a rule failed to
    evaluate) or ``error`` (the test file itself is broken).  ``text`` is
    promtool's own message, kept verbatim because its exp/got diff is the most
    useful thing to show a human.
    """

    file: str
    kind: str
    text: str
    test_group: str | None = None
    alertname: str | None = None
    expr: str | None = None
    rule: str | None = None
    eval_time: str | None = None


@dataclass(frozen=True)
class RuleTestResult:
    files: tuple[str, ...]
    failures: tuple[RuleTestFailure, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures


# --------------------------------------------------------------------------- discovery


def find_promtool() -> str:
    """Path of the promtool binary: $OBSGEN_PROMTOOL, then scripts/go-tools' pinned build, then PATH."""
    return find_tool("promtool", ENV_VAR, INSTALL_HINT, PromtoolNotFound)


def version() -> str:
    """promtool's version number, e.g. ``2.42.0+ds`` (for reports and bug triage)."""
    out = _run(["--version"]).stdout
    match = re.search(r"version (\S+)", out)
    return match.group(1) if match else out.strip()


def _run(args: Sequence[str], go_threads: int | None = None) -> subprocess.CompletedProcess[str]:
    return run_tool(find_promtool(), args, go_threads=go_threads)


def _require_files(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    names = [os.fspath(p) for p in paths]
    missing = [n for n in names if not Path(n).is_file()]
    if missing:
        raise FileNotFoundError(f"no such file: {', '.join(missing)}")
    return names


# --------------------------------------------------------------------------- check rules

_POSITION = re.compile(r"^(\d+):(\d+): ")
_RULE_CONTEXT = re.compile(r'^group "((?:[^"\\]|\\.)*)", rule (\d+), "((?:[^"\\]|\\.)*)": ')
_EXPR_ERROR = re.compile(r"^could not parse expression: (\d+):(\d+): ")
_YAML_LINE = re.compile(r"yaml: line (\d+): ")
_CONTINUATION_LINE = re.compile(r"^\s+line (\d+): (.*)$")
# promtool 3 logs through slog to stderr (e.g. a WARN about multi-document YAML): not a finding.
_LOG_LINE = re.compile(r"^time=\S+ level=[A-Z]+ ")


def check_rules(paths: Iterable[str | os.PathLike[str]]) -> list[Finding]:
    """Run ``promtool check rules`` once over all ``paths`` and return its findings.

    One process for many files keeps lint fast.  promtool's duplicate-rule
    lint is switched off (``--lint=none``): its report names no file, and
    ``obsgen lint`` has its own ``rules/duplicate`` check with positions.
    An empty list means promtool accepted every file.
    """
    names = _require_files(paths)
    if not names:
        return []
    proc = _run(["check", "rules", "--lint=none", *names])
    findings = parse_check_rules_output(proc.stderr, names)
    if proc.returncode != 0 and not findings:
        raise PromtoolError(f"promtool check rules exited {proc.returncode}: {proc.stderr.strip()}")
    return findings


def parse_check_rules_output(stderr: str, paths: Sequence[str]) -> list[Finding]:
    """Turn promtool's ``check rules`` stderr into findings, one per problem.

    Lines start with the file name as it was passed; ``yaml: unmarshal errors``
    continue on indented ``line N:`` lines, each becoming its own finding.
    """
    findings: list[Finding] = []
    current_file = paths[0] if paths else ""
    header: Finding | None = None  # a "…unmarshal errors:" line waiting for its "line N:" lines
    header_used = False
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line or line == "FAILED:" or _LOG_LINE.match(line):
            continue
        continuation = _CONTINUATION_LINE.match(raw)
        if continuation and header is not None:
            prefix = header.message.rsplit("unmarshal errors:", 1)[0].strip()
            message = f"{prefix} {continuation.group(2)}".strip()
            findings.append(Finding(current_file, message, line=int(continuation.group(1))))
            header_used = True
            continue
        if header is not None and not header_used:
            findings.append(header)
        header, header_used = None, False
        file, rest = _split_file_prefix(line, paths)
        if file is None:
            findings.append(Finding(current_file, line))
            continue
        current_file = file
        finding = _parse_rule_message(file, rest)
        if rest.endswith("unmarshal errors:"):
            header = finding
        else:
            findings.append(finding)
    if header is not None and not header_used:
        findings.append(header)
    return _dedupe(findings)


def _split_file_prefix(line: str, paths: Sequence[str]) -> tuple[str | None, str]:
    # Longest path first: "a.yaml" must not claim the lines of "dir/a.yaml".
    for path in sorted(paths, key=len, reverse=True):
        if line.startswith(path + ": "):
            return path, line[len(path) + 2 :]
    return None, line


def _parse_rule_message(file: str, rest: str) -> Finding:
    line = col = None
    position = _POSITION.match(rest)
    if position:
        line, col = int(position.group(1)), int(position.group(2))
        rest = rest[position.end() :]
        if line == 0:  # promtool's "no position known"
            line = col = None
    group = rule_name = None
    rule_index = None
    context = _RULE_CONTEXT.match(rest)
    if context:
        group, rule_index, rule_name = context.group(1), int(context.group(2)) - 1, context.group(3)
        rest = rest[context.end() :]
    expr_line = expr_col = None
    expr_error = _EXPR_ERROR.match(rest)
    if expr_error:
        expr_line, expr_col = int(expr_error.group(1)), int(expr_error.group(2))
        rest = rest[expr_error.end() :]
    yaml_line = _YAML_LINE.search(rest)
    if line is None and yaml_line:
        line = int(yaml_line.group(1))
    return Finding(file, rest, line, col, group, rule_index, rule_name, expr_line, expr_col)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    """promtool reports some YAML errors twice (once per unmarshal attempt)."""
    seen: set[tuple[str, int | None, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.file, finding.line, finding.message.lower())
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


# --------------------------------------------------------------------------- PromQL parsing

_PARSE_RULE_PREFIX = "obsgen_parse_check_"


def parse_expr(expr: str) -> Finding | None:
    """None when ``expr`` is valid PromQL, else the parse error (position inside ``expr``)."""
    return parse_exprs([expr])[0]


# Parse results by (promtool binary, expression), known inside an `expressions_parsed` block.
_KNOWN_PARSES: ContextVar[dict[tuple[str, str], Finding | None] | None] = ContextVar("obsgen_known_parses",
                                                                                     default=None)


@contextmanager
def expressions_parsed(exprs: Sequence[str]) -> Iterator[None]:
    """Parse ``exprs`` with one promtool run now; inside the block parse_exprs answers them without one.

    A build lints each journey's dashboard on its own, and a promtool run per journey (~50 ms of start-up,
    one after the other) was most of a fleet's static checks.
    """
    unique = list(dict.fromkeys(exprs))
    binary = find_promtool() if unique else ""
    known = {(binary, expr): result for expr, result in zip(unique, parse_exprs(unique))}
    token = _KNOWN_PARSES.set({**(_KNOWN_PARSES.get() or {}), **known})
    try:
        yield
    finally:
        _KNOWN_PARSES.reset(token)


def parse_exprs(exprs: Sequence[str]) -> list[Finding | None]:
    """Check many PromQL expressions with one promtool run.

    Each expression becomes a recording rule in a temporary rule file, so the
    answer comes from Prometheus' own parser (the one the server will use).
    One process for the whole batch costs ~the same as for one expression.
    The result is aligned with ``exprs``; each error's ``line``/``col`` is its
    position inside the expression, ``file`` is empty.
    """
    if not exprs:
        return []
    known = _KNOWN_PARSES.get()
    if known:
        binary = find_promtool()
        if all((binary, expr) in known for expr in exprs):
            found = [known[(binary, expr)] for expr in exprs]
            return [None if f is None else dataclasses.replace(f, rule_index=i) for i, f in enumerate(found)]
    results: list[Finding | None] = [None] * len(exprs)
    with tempfile.TemporaryDirectory(prefix="obsgen-promql-") as tmp:
        rule_file = Path(tmp) / "exprs.yaml"
        rule_file.write_text(_expressions_as_rule_file(exprs), encoding="utf-8")
        for finding in check_rules([rule_file]):
            index = finding.rule_index
            if index is None or not 0 <= index < len(exprs):
                raise PromtoolError(f"unexpected promtool output for expression batch: {finding.message}")
            results[index] = _as_expression_error(finding)
    return results


def _expressions_as_rule_file(exprs: Sequence[str]) -> str:
    rules = [{"record": f"{_PARSE_RULE_PREFIX}{i}", "expr": expr} for i, expr in enumerate(exprs)]
    # libyaml when present: the dashboard lint writes every panel query here (positions come from
    # promtool's message about the expression itself, not from this file's layout).
    return yaml.dump({"groups": [{"name": "obsgen_parse_check", "rules": rules}]}, Dumper=_FAST_DUMPER,
                     sort_keys=False)


_FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _as_expression_error(finding: Finding) -> Finding:
    # First problem per rule wins; line/col move from the temp file to the expression.
    return Finding("", finding.message, finding.expr_line, finding.expr_col, rule_index=finding.rule_index)


# --------------------------------------------------------------------------- check config


def check_config(path: str | os.PathLike[str], *, syntax_only: bool = False) -> list[Finding]:
    """Run ``promtool check config``: the Prometheus config and the rule files it names.

    ``syntax_only`` skips checking referenced files (rule files, credentials),
    for configs validated away from the machine they run on.
    """
    (name,) = _require_files([path])
    args = ["check", "config", *(["--syntax-only"] if syntax_only else []), name]
    proc = _run(args)
    findings = parse_check_config_output(proc.stderr, name)
    if proc.returncode != 0 and not findings:
        raise PromtoolError(f"promtool check config exited {proc.returncode}: {proc.stderr.strip()}")
    return findings


def parse_check_config_output(stderr: str, config_path: str) -> list[Finding]:
    """Config errors follow ``FAILED:`` on the same line; rule-file errors are indented lines."""
    findings: list[Finding] = []
    rule_lines: list[str] = []
    last_config: Finding | None = None
    for raw in stderr.splitlines():
        line = raw.strip()
        if not line or line == "FAILED:":
            continue
        continuation = _CONTINUATION_LINE.match(raw)
        if continuation and last_config is not None and raw.startswith("  line"):
            findings.append(Finding(config_path, continuation.group(2), line=int(continuation.group(1))))
            continue
        if line.startswith("FAILED: "):
            last_config = Finding(config_path, line[len("FAILED: ") :])
            if not last_config.message.endswith("unmarshal errors:"):
                findings.append(last_config)
            continue
        rule_lines.append(line)
    rule_files = sorted({line.split(": ", 1)[0] for line in rule_lines if ": " in line})
    findings.extend(parse_check_rules_output("\n".join(rule_lines), rule_files))
    return _dedupe(findings)


# --------------------------------------------------------------------------- test rules


def test_rules(paths: Iterable[str | os.PathLike[str]], *, go_threads: int | None = None) -> RuleTestResult:
    """Run ``promtool test rules`` on the unit-test files and collect every failure (see test_rules_each).
    go_threads: see obsgen.tools.environment."""
    return merged(test_rules_each(paths, go_threads=go_threads))


def merged(results: Iterable[RuleTestResult]) -> RuleTestResult:
    """Results of several runs as one, in the order given."""
    results = list(results)
    return RuleTestResult(tuple(name for r in results for name in r.files),
                          tuple(f for r in results for f in r.failures), tuple(w for r in results for w in r.warnings))


def test_rules_each(paths: Iterable[str | os.PathLike[str]], *, go_threads: int | None = None) -> list[RuleTestResult]:
    """``promtool test rules`` on each file, a result for each, in the order given.

    One process for all the files (a few, when their names would make too long a command line): each process
    pays promtool's start and a heap grown from nothing again (BENCHMARKS.md "Fewer promtool processes").
    promtool's stdout says which files passed, but its stderr names no file: every file that did not pass
    there (every file, when promtool warned) runs again alone, so each failure and warning belongs to the one
    file it came from.
    """
    names = _require_files(paths)
    alone = names
    if len(names) > 1:
        alone = [name for batch in _batches(names) for name in _not_passing_together(batch, go_threads)]
    results = {name: RuleTestResult((name,)) for name in names}
    for name in alone:
        results[name] = _test_alone(name, go_threads)
    return [results[name] for name in names]


def _not_passing_together(names: list[str], go_threads: int | None) -> list[str]:
    """The files one promtool run over names does not say passed (all of them when it warned)."""
    proc = _run(["test", "rules", *names], go_threads)
    warned = any(line.strip().startswith("WARNING:") for line in proc.stderr.splitlines())
    passed = set() if warned else passed_files(proc.stdout, names)
    return [name for name in names if name not in passed]


# The bytes of file names one promtool is given: far under Linux's 2 MB for a command line and its
# environment, so that a fleet of any size starts its promtools (a few thousand scoped files each).
MAX_ARGUMENT_BYTES = 256 * 1024


def _batches(names: list[str]) -> list[list[str]]:
    batches: list[list[str]] = [[]]
    size = 0
    for name in names:
        length = len(os.fsencode(name)) + 1
        if batches[-1] and size + length > MAX_ARGUMENT_BYTES:
            batches.append([])
            size = 0
        batches[-1].append(name)
        size += length
    return batches


def _test_alone(name: str, go_threads: int | None) -> RuleTestResult:
    proc = _run(["test", "rules", name], go_threads)
    failures, warnings = parse_test_rules_output(proc.stderr, name)
    if proc.returncode != 0 and not failures:
        raise PromtoolError(f"promtool test rules exited {proc.returncode}: {proc.stderr.strip()}")
    return RuleTestResult((name,), tuple(failures), tuple(warnings))


# How each file's report starts on stdout: promtool 3.x, then 2.x (fmt.Println's space before the name).
_TEST_FILE_HEADERS = ("Processing test file: {}", "Unit Testing:  {}")


def passed_files(stdout: str, names: Sequence[str]) -> set[str]:
    """The files a ``test rules`` run over names reports SUCCESS for: each report starts with the file's
    name, in the order given, and a passing one says SUCCESS before the next starts."""
    passed: set[str] = set()
    current = None
    waiting = iter(names)
    following = next(waiting, None)
    for line in stdout.splitlines():
        if following is not None and line in (h.format(following) for h in _TEST_FILE_HEADERS):
            current, following = following, next(waiting, None)
        elif current is not None and line.strip() == "SUCCESS":
            passed.add(current)
    return passed


# ``pytest`` collects module-level functions named test_*; this one is API, not a test.
test_rules.__test__ = False  # type: ignore[attr-defined]

_BLOCK_START = re.compile(r"^    (name|alertname|expr|rule): ")
_ALERT_HEAD = re.compile(r"alertname: (.*?), time: (\S+?), ")
_EXPR_HEAD = re.compile(r'expr: ("(?:[^"\\]|\\.)*"), time: (\S+?),')
_RULE_HEAD = re.compile(r"rule: (.*?), time: (\S+?), err: ")
_GROUP_NAME = re.compile(r"^    name: (.*),$")


def parse_test_rules_output(stderr: str, test_file: str) -> tuple[list[RuleTestFailure], list[str]]:
    """Split one file's ``test rules`` stderr into failures (plus ``WARNING`` lines)."""
    warnings: list[str] = []
    blocks: list[list[str]] = []
    for raw in stderr.splitlines():
        stripped = raw.strip()
        if not stripped or stripped == "FAILED:":
            continue
        if stripped.startswith("WARNING:"):
            warnings.append(stripped[len("WARNING:") :].strip())
            continue
        if _starts_block(raw, blocks):
            blocks.append([raw])
        else:
            blocks[-1].append(raw)
    test_file_doc = _load_test_file(test_file)
    return [_failure_from_block(b, test_file, test_file_doc) for b in blocks], warnings


def _starts_block(raw: str, blocks: list[list[str]]) -> bool:
    if not blocks:
        return True
    if not raw.startswith(" "):
        return True  # an error at column 0, e.g. a parse error of an input series
    block_start = _BLOCK_START.match(raw)
    if not block_start:
        return False
    # "    name: g," is immediately followed by its own "    alertname: …" line.
    return not (block_start.group(1) == "alertname" and _GROUP_NAME.match(blocks[-1][-1]))


def _failure_from_block(block: list[str], test_file: str, doc: dict) -> RuleTestFailure:
    text = textwrap.dedent("\n".join(line.rstrip() for line in block)).strip("\n")
    group_match = _GROUP_NAME.match(block[0])
    group = group_match.group(1) if group_match else None
    head = "\n".join(block[:2])
    if alert := _ALERT_HEAD.search(head):
        alertname, eval_time = alert.group(1), alert.group(2)
        group = group or _find_test_group(doc, "alert_rule_test", "alertname", alertname, eval_time)
        return RuleTestFailure(test_file, "alert", text, group, alertname=alertname, eval_time=eval_time)
    if expr := _EXPR_HEAD.search(head):
        expr_text, eval_time = _unquote_go(expr.group(1)), expr.group(2)
        group = group or _find_test_group(doc, "promql_expr_test", "expr", expr_text, eval_time)
        return RuleTestFailure(test_file, "expr", text, group, expr=expr_text, eval_time=eval_time)
    if rule := _RULE_HEAD.search(head):
        return RuleTestFailure(test_file, "eval", text, group, rule=rule.group(1), eval_time=rule.group(2))
    return RuleTestFailure(test_file, "error", text.strip(), group)


def _unquote_go(quoted: str) -> str:
    # Go's %q of an expression: JSON-compatible for the characters PromQL uses.
    try:
        return json.loads(quoted)
    except ValueError:
        return quoted[1:-1]


def _load_test_file(path: str) -> dict:
    try:
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _find_test_group(doc: dict, section: str, key: str, value: str, eval_time: str) -> str | None:
    """promtool omits the test-group name for expr failures (and unnamed groups); find it.

    Returns the group's name, or ``#N`` (0-based) for an unnamed group, or None
    when the assertion is ambiguous across groups.
    """
    matches = []
    for index, group in enumerate(doc.get("tests") or []):
        for case in (group or {}).get(section) or []:
            if str(case.get(key, "")).strip() == value.strip() and _same_duration(case.get("eval_time"), eval_time):
                matches.append(group.get("name") or f"#{index}")
    unique = sorted(set(matches))
    return unique[0] if len(unique) == 1 else None


_GO_DURATION_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
_GO_UNIT_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000}


def _same_duration(a: object, b: str) -> bool:
    """``1h`` in the test file vs ``1h0m0s`` from promtool: compare as milliseconds."""
    return _duration_ms(str(a)) == _duration_ms(b)


def _duration_ms(text: str) -> int | str:
    parts = _GO_DURATION_PART.findall(text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        return text.strip()  # not a duration: compare the text as written
    return sum(int(n) * _GO_UNIT_MS[u] for n, u in parts)


__all__ = [
    "ENV_VAR",
    "INSTALL_HINT",
    "Finding",
    "PromtoolError",
    "PromtoolNotFound",
    "RuleTestFailure",
    "RuleTestResult",
    "check_config",
    "check_rules",
    "find_promtool",
    "parse_check_config_output",
    "parse_check_rules_output",
    "parse_expr",
    "parse_exprs",
    "parse_test_rules_output",
    "test_rules",
    "version",
]
