"""YAML in and out through libyaml when PyYAML has it: targets re-read and re-write every rule
group of every journey, and the pure-Python codec made that most of a build's time."""

from __future__ import annotations

from typing import Any

import yaml

from obsgen.render import _str, dump_yaml, header_lines

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[misc, valid-type]
    """Same representers as obsgen.render (literal blocks for multi-line PromQL)."""


_Dumper.add_representer(str, _str)


def load(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def dump(data: Any, source: str | None = None) -> str:
    """Byte-identical to obsgen.render.dump_yaml (tests/targets check it), only faster."""
    if _BaseDumper is yaml.SafeDumper:
        return dump_yaml(data, source)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=1_000_000, indent=2)
    header = "".join(f"# {line}\n" for line in header_lines(source)) if source else ""
    return header + body
