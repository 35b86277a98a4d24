"""Panel ids from a stable key, so adding a stage does not renumber the other panels.

Grafana wants each panel id unique within a dashboard; links (``viewPanel=<id>``), annotations and
people's bookmarks use it. Ids that follow position change whenever a panel is inserted above, so
each panel has a key that says what it shows (``errors/stage/checkout``) and its id is a hash of
that key into 1..999999. A collision (about 0.3 % chance for 80 panels) moves the key that sorts
later to the next free id; that is deterministic, and it only ever touches the two keys involved.
"""

from __future__ import annotations

import hashlib
from typing import Iterable

ID_SPACE = 999_999


def _slot(key: str) -> int:
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % ID_SPACE + 1


def panel_ids(keys: Iterable[str]) -> dict[str, int]:
    """A unique id per key; the same keys always get the same ids."""
    keys = list(keys)
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise ValueError(f"two panels share a key: {', '.join(duplicated)}")
    ids: dict[str, int] = {}
    used: set[int] = set()
    for key in sorted(keys):
        candidate = _slot(key)
        while candidate in used:
            candidate = candidate % ID_SPACE + 1
        ids[key] = candidate
        used.add(candidate)
    return ids
