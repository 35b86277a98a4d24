"""The delivery (targets and their options) a build uses: as asked, else the default, or for
`build --check` what the output's manifest records it was built with."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from obsgen import writer
from obsgen.errors import ObsgenError
from obsgen.paths import shown
from obsgen.targets import DEFAULT_TARGETS
from obsgen.targets.options import TargetOptions, from_record


def delivery(out_dir: Path, targets: Sequence[str] | None, options: TargetOptions | None,
             check: bool) -> tuple[Sequence[str], TargetOptions]:
    """The targets and options to build with: as given; what is not given is the default, or for a
    check, what the output's manifest records it was built with."""
    recorded = writer.recorded_build(out_dir) if check and (targets is None or options is None) else None
    if recorded is None:
        return targets or DEFAULT_TARGETS, options or TargetOptions()
    try:
        recorded_targets, recorded_options = from_record(recorded)
    except (KeyError, TypeError, ValueError) as exc:
        raise ObsgenError(f"{shown(out_dir / writer.MANIFEST)}: unreadable build record ({exc!r}); "
                          f"delete its {writer.BUILD_RECORD!r} entry and build again") from None
    return targets or recorded_targets, options or recorded_options
