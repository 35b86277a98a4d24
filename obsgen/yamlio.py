"""YAML in and out through libyaml when PyYAML has it: targets re-read and re-write every rule
group of every journey, and the pure-Python codec made that most of a build's time."""

from __future__ import annotations

from typing import Any

import yaml

from obsgen.render import dump_yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def dump(data: Any, source: str | None = None) -> str:
    """obsgen.render.dump_yaml, which already writes through libyaml when it can."""
    return dump_yaml(data, source)
