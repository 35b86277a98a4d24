"""Instrumentation profiles as data: the built-in ones (stage_profiles.yaml, shipped in the package)
and a spec's own (spec.profiles inline, spec.profileFiles). All share one schema, format.StageProfile.

A profile file's problems are reported at their own file:line:column, like a spec's.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from obsgen.errors import Diagnostic
from obsgen.spec import format as fmt
from obsgen.spec.positions import load_positioned

BUILTIN_FILE = "stage_profiles.yaml"


def parse_profile_file(text: str, source: str) -> tuple[dict[str, fmt.StageProfile], list[Diagnostic]]:
    positioned = load_positioned(text, source)
    if positioned.problems:
        return {}, list(positioned.problems)
    try:
        document = fmt.ProfileFile.model_validate(positioned.data)
    except ValidationError as exc:
        return {}, [positioned.diagnostic(tuple(e["loc"]), f"{'.'.join(map(str, e['loc'])) or 'profile file'}: {e['msg']}")
                    for e in exc.errors()]
    return dict(document.profiles), []


@lru_cache(maxsize=1)
def builtin_profiles() -> dict[str, fmt.StageProfile]:
    text = resources.files("obsgen.spec").joinpath(BUILTIN_FILE).read_text(encoding="utf-8")
    profiles, problems = parse_profile_file(text, f"obsgen/spec/{BUILTIN_FILE}")
    if problems:  # a packaging bug, not a user error
        raise RuntimeError("\n".join(str(p) for p in problems))
    return profiles


class UnreadableProfileFile(ValueError):
    """A profile file that cannot be read at all (reported at the spec's reference to it)."""


def load_profile_file(path: Path, shown: str) -> tuple[dict[str, fmt.StageProfile], list[Diagnostic]]:
    """The profiles in a file, and the problems in it at their own positions."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UnreadableProfileFile(f"cannot read profile file {shown}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UnreadableProfileFile(f"profile file {shown} is not UTF-8 text") from None
    return parse_profile_file(text, shown)
