"""Rendering of the stack's config templates.

nginx and RabbitMQ templates use `${UPPERCASE}` placeholders, the same syntax the nginx
image's envsubst step understands, so compose and the native stack share one file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")


class TemplateError(ValueError):
    pass


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def substitute(text: str, values: Mapping[str, object]) -> str:
    missing = sorted(placeholders(text) - set(values))
    if missing:
        raise TemplateError(f"no value for placeholder(s): {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def render_to(template: Path, values: Mapping[str, object], destination: Path) -> Path:
    try:
        rendered = substitute(template.read_text(), values)
    except TemplateError as error:
        raise TemplateError(f"{template}: {error}") from None
    write_if_changed(destination, rendered)
    return destination


def write_if_changed(destination: Path, content: str) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not destination.exists() or destination.read_text() != content:
        destination.write_text(content)
