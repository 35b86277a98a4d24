"""Builds and rule-test runs remembered by the digest of what they read, so an unchanged spec is
not emitted, validated and tested again.

Both caches live in build-cache/ under obsgen's user cache directory ($XDG_CACHE_HOME/obsgen,
else ~/.cache/obsgen, beside the pinned tools of scripts/go-tools):

- builds/<key>.json: a build (or a `--check`) that succeeded. The key digests everything the
  output depends on: each spec (resolved path and bytes) and the profile files it names, the
  output directory, the working directory (messages name files from it), the delivery (targets
  and their options as given, for `--check` with the manifest's record), the Prometheus version asked for,
  the bytes of every file of obsgen's package (its version string does not change during
  development), and the identity (path, size, mtime) of promtool and amtool. The entry holds the
  sha256 of every file the build published and of the manifest, and how far it validated. A build
  is up to date when its key has an entry, the entry validated at least as far as asked, and the
  output directory holds exactly those files with those bytes (so a hand edit, a deleted or an
  added file, or a half-finished publish is rebuilt or reported by `--check`).
- rule-tests/<digest>: a `promtool test rules` run that passed, by the digest of the promtool
  binary's identity, the test file (its rule_files aside) and the bytes of each rule file it loads.
  Failures are never recorded: they are run, and reported, every time.

Entries are written whole by an atomic rename; one that cannot be read or parsed is a miss (the full
build runs). `--no-cache` or OBSGEN_NO_CACHE=1 turns both off; deleting the directory clears them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from obsgen import tools
from obsgen.build import writer
from obsgen.errors import ObsgenError
from obsgen.spec.limits import MAX_SPEC_BYTES

if TYPE_CHECKING:
    from obsgen.targets.options import TargetOptions

NO_CACHE_ENV = "OBSGEN_NO_CACHE"
CACHE_DIR = "build-cache"
BUILDS_DIR = "builds"
RULE_TESTS_DIR = "rule-tests"
# Changes whenever an entry's meaning changes, so an older obsgen's entries are never read as ours.
FORMAT = 1
# Oldest entries go past these counts: a cache of test builds in scratch directories must not grow forever.
MAX_BUILDS = 400
MAX_RULE_TESTS = 4000
# How far a build validated: a build asking for more than an entry ran is not up to date.
NOT_VALIDATED, STATIC_CHECKS, RULE_TESTS = 0, 1, 2
_TOOLS = (("promtool", tools.PROMTOOL_ENV), ("amtool", tools.AMTOOL_ENV))

_disabled = False


def disable() -> None:
    """`--no-cache`: this process neither reads nor writes either cache."""
    global _disabled
    _disabled = True


def enabled() -> bool:
    return not _disabled and os.environ.get(NO_CACHE_ENV, "").strip() in ("", "0")


def cache_dir() -> Path:
    return tools.cache_root() / CACHE_DIR


def validation_level(validate: bool, run_tests: bool) -> int:
    return RULE_TESTS if validate and run_tests else STATIC_CHECKS if validate else NOT_VALIDATED


@dataclass(frozen=True)
class Request:
    """A build as the command line asks for it (targets/options None: not given)."""

    specs: tuple[Path, ...]
    out_dir: Path
    check: bool
    level: int
    targets: tuple[str, ...] | None
    target_options: TargetOptions | None
    prometheus_version: int | None


@dataclass(frozen=True)
class Entry:
    """A build that succeeded: the files it published (directory -> path -> sha256), in build order."""

    level: int
    outputs: dict[str, dict[str, str]]
    manifest: str
    warnings: list[str]


@dataclass(frozen=True)
class Lookup:
    """The request's key (None: caching is off, or an input is unreadable and the build will say
    so) and the entry that makes it up to date, if any."""

    request: Request
    key: str | None
    hit: Entry | None


def lookup(request: Request) -> Lookup:
    key = request_key(request) if enabled() else None
    entry = _read_entry(key) if key else None
    fresh = entry is not None and (request.check or entry.level >= request.level) and _on_disk(request.out_dir, entry)
    return Lookup(request, key, entry if fresh else None)


def remember(found: Lookup, level: int, outputs: Sequence[tuple[Path, Sequence]], warnings: list[str]) -> None:
    """Record a build that succeeded: outputs are (directory, artifacts) as published (or, for a
    check, as found up to date). Not recorded when an input changed while it ran."""
    if found.key is None or request_key(found.request) != found.key:
        return
    manifest = _sha256_of_file(found.request.out_dir / writer.MANIFEST)
    if manifest is None:
        return
    published = {directory.name: {a.path: _sha256(a.content.encode("utf-8")) for a in artifacts}
                 for directory, artifacts in outputs}
    previous = _read_entry(found.key)
    if previous is not None and previous.outputs == published:
        level = max(level, previous.level)
    # Pairs, not an object: the build's order (journeys, then _fleet) is the order they are reported in.
    entry = json.dumps({"format": FORMAT, "level": level, "outputs": list(published.items()), "manifest": manifest,
                        "warnings": warnings}, sort_keys=True)
    _store(cache_dir() / BUILDS_DIR, f"{found.key}.json", entry, MAX_BUILDS)
    if not found.request.check:
        # The `--check` that follows reads its targets from the manifest this build just wrote.
        checked = request_key(replace(found.request, check=True, targets=None, target_options=None))
        if checked is not None:
            _store(cache_dir() / BUILDS_DIR, f"{checked}.json", entry, MAX_BUILDS)


# --------------------------------------------------------------------------- the key


def request_key(request: Request) -> str | None:
    try:
        parts = {
            "format": FORMAT,
            "specs": [_spec_inputs(spec) for spec in request.specs],
            "out": str(request.out_dir.resolve()),
            "cwd": os.getcwd(),
            "delivery": _delivery(request),
            "prometheus_version": request.prometheus_version,
            "obsgen": code_digest(),
            "tools": [tool_identity(name, env) for name, env in _TOOLS],
        }
    except (OSError, ValueError, ObsgenError):
        return None  # the build itself reports the unreadable spec, profile file or manifest
    return _sha256(json.dumps(parts, sort_keys=True).encode("utf-8"))


def _delivery(request: Request) -> dict:
    """The delivery as asked (None: not given) and, for a check that fills what is not given from the
    manifest's record of the last build (as obsgen.build.pipeline does), that record as written. Resolved
    no further: the cache must not import every target to say "up to date"."""
    options = request.target_options
    filled = request.check and (request.targets is None or options is None)
    return {"targets": sorted(set(request.targets)) if request.targets else None,
            "options": asdict(options) if options is not None else None,
            "recorded": writer.recorded_build(request.out_dir) if filled else None}


def _spec_inputs(spec: Path) -> list[str]:
    """The spec's resolved path and digest, then each profile file it names (spec.profileFiles, read
    from the spec's directory as the loader does) with its digest, or "missing"."""
    data = _spec_sized(spec)
    inputs = [str(spec.resolve()), _sha256(data)]
    for name in _profile_files(data):
        path = spec.parent / name
        try:
            inputs += [str(path.resolve()), _sha256(_spec_sized(path))]
        except FileNotFoundError:
            inputs += [str(path.resolve()), "missing"]
    return inputs


def _spec_sized(path: Path) -> bytes:
    """A spec's bytes, read no further than the loader reads (/dev/zero must not fill the memory): a
    larger file makes no key, and the build reports it."""
    with path.open("rb") as file:
        data = file.read(MAX_SPEC_BYTES + 1)
    if len(data) > MAX_SPEC_BYTES:
        raise ValueError(f"{path}: larger than a spec")
    return data


def _profile_files(spec: bytes) -> list[str]:
    if b"profileFiles" not in spec:
        return []  # the common case: no YAML parse on the way to "up to date"
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(spec, Loader=loader)
        names = document["spec"]["profileFiles"]
    except (yaml.YAMLError, KeyError, TypeError):
        raise ValueError("no readable spec.profileFiles") from None
    if not isinstance(names, list):
        raise ValueError("spec.profileFiles is not a list")
    return [str(name) for name in names]


@functools.cache
def code_digest() -> str:
    """Every file of the obsgen package (sources and data), by path and bytes: during development
    the code changes under one version string."""
    package = Path(__file__).resolve().parent
    sha = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            sha.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


@functools.cache
def tool_identity(name: str, env_var: str) -> str:
    """Which program `name` is: path, size and modification time (a rebuilt or upgraded tool differs)."""
    path = tools.locate(name, env_var)
    if path is None:
        return f"{name}: missing"
    stat = os.stat(path)
    return f"{name}: {os.path.realpath(path)} {stat.st_size} {stat.st_mtime_ns}"


# --------------------------------------------------------------------------- is the output still it?


def _on_disk(out_dir: Path, entry: Entry) -> bool:
    """out_dir holds exactly the entry's files and manifest, and no publish is half done."""
    if (out_dir / writer.JOURNAL).exists() or _sha256_of_file(out_dir / writer.MANIFEST) != entry.manifest:
        return False
    for name, files in entry.outputs.items():
        directory = out_dir / name
        found = {p.relative_to(directory).as_posix(): p for p in directory.rglob("*") if p.is_file()}
        if found.keys() != files.keys():
            return False
        if any(_sha256_of_file(found[path]) != digest for path, digest in files.items()):
            return False
    return True


# --------------------------------------------------------------------------- passed rule tests


def test_rules(paths: Iterable[str | os.PathLike[str]], *, go_threads: int | None = None):
    """obsgen.tools.promtool.test_rules, answered from the cache for each file whose exact inputs passed
    before with the same promtool."""
    # Imported here: the "up to date" path must not pay for the promtool module and YAML.
    from obsgen.tools import promtool

    names = [os.fspath(p) for p in paths]
    if not enabled():
        return promtool.test_rules(names, go_threads=go_threads)
    digests = {name: _rule_test_digest(name) for name in names}
    recorded = {name: _read_json(cache_dir() / RULE_TESTS_DIR / digest) if digest else None
                for name, digest in digests.items()}
    results = {name: promtool.RuleTestResult((name,), (), tuple(str(w) for w in passed))
               for name, passed in recorded.items() if isinstance(passed, list)}
    untested = [name for name in names if name not in results]
    for result in promtool.test_rules_each(untested, go_threads=go_threads) if untested else []:
        (name,) = result.files
        results[name] = result
        if result.passed and digests[name]:
            _store(cache_dir() / RULE_TESTS_DIR, digests[name], json.dumps(list(result.warnings)), MAX_RULE_TESTS)
    return promtool.merged(results[name] for name in names)


test_rules.__test__ = False  # type: ignore[attr-defined]  # API, not a pytest test


def _rule_test_digest(name: str) -> str | None:
    """The promtool, the test file without its rule_files (their paths differ between staging
    directories), and the bytes of each rule file it loads; None when they cannot be read."""
    import yaml

    path = Path(name)
    try:
        document = _json_or_yaml(path.read_text(encoding="utf-8"))
        rule_files = [_resolved(path.parent, str(f)) for f in document.get("rule_files") or []]
        parts = {"promtool": tool_identity("promtool", tools.PROMTOOL_ENV),
                 "test": {k: v for k, v in document.items() if k != "rule_files"},
                 "rules": [_sha256_of_file(p) for p in rule_files]}
        encoded = json.dumps(parts, sort_keys=True, default=str).encode("utf-8")
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return None
    if None in parts["rules"]:
        return None  # a missing rule file: promtool reports it
    return _sha256(encoded)


def _json_or_yaml(text: str):
    """The runner writes its scoped test files as JSON, which the C JSON decoder reads many times faster
    than libyaml; any other file (a journey's own, as written) is YAML. The same bytes are always read by
    the same decoder, so a file's digest does not change."""
    from obsgen import yamlio  # the runner that calls this has loaded it already

    try:
        return json.loads(text)
    except ValueError:
        return yamlio.load(text)


def _resolved(base: Path, pattern: str) -> Path:
    """A rule file as promtool finds it: relative to the test file. A glob is not digested (None)."""
    if any(c in pattern for c in "*?["):
        raise ValueError("a globbed rule file is not cached")
    return base / pattern


# --------------------------------------------------------------------------- storage


def _read_entry(key: str) -> Entry | None:
    data = _read_json(cache_dir() / BUILDS_DIR / f"{key}.json")
    try:
        if data["format"] != FORMAT:
            return None
        outputs = {str(d): {str(p): str(s) for p, s in files.items()} for d, files in data["outputs"]}
        return Entry(int(data["level"]), outputs, str(data["manifest"]), [str(w) for w in data["warnings"]])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(directory: Path, name: str, text: str, keep: int) -> None:
    """Write name whole (a reader sees the old entry or the new one, never part of one), then drop
    the oldest entries past `keep`. A cache that cannot be written only costs the next build time."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".{name}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, directory / name)
        _prune(directory, keep)
    except OSError:
        pass


def _prune(directory: Path, keep: int) -> None:
    entries = list(os.scandir(directory))
    if len(entries) <= keep:
        return
    stale_temporaries = [e for e in entries if e.name.startswith(".") and e.stat().st_mtime < time.time() - 3600]
    oldest = sorted((e for e in entries if not e.name.startswith(".")), key=lambda e: e.stat().st_mtime)
    for entry in stale_temporaries + oldest[:len(oldest) - keep]:
        try:
            os.unlink(entry.path)
        except OSError:
            pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_of_file(path: Path) -> str | None:
    try:
        return _sha256(path.read_bytes())
    except OSError:
        return None
