"""The demo lab's place: an obsgen source checkout. The lab (the top-level `lab` package, beside the
`stack/` assets it runs) is not in the installed package; its two commands find it here, and `build`
asks here whether a native stack may be serving what it wrote. Nothing in this module imports the lab."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from obsgen.errors import ObsgenError

REPO_ROOT_ENV = "OBSGEN_REPO_ROOT"
STATE_DIR_ENV = "OBSGEN_STACK_DIR"
STATE_DIR_NAME = ".stack"
LAB_PACKAGE = "lab"


class CheckoutNotFound(ObsgenError, RuntimeError):
    """The demo lab (lab/ and its assets in stack/) lives in the source checkout, not in the installed package."""

    exit_code = 2


def is_checkout(directory: Path) -> bool:
    return all((directory / name).exists() for name in ("pyproject.toml", "stack", LAB_PACKAGE))


def find_repo_root() -> Path:
    """$OBSGEN_REPO_ROOT, else the checkout this obsgen runs from (an editable install or PYTHONPATH)."""
    override = os.environ.get(REPO_ROOT_ENV)
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if is_checkout(candidate):
            return candidate
    raise CheckoutNotFound(
        f"cannot find the obsgen checkout (a directory with pyproject.toml, stack/ and lab/) above {here}; "
        f"set {REPO_ROOT_ENV}"
    )


def lab_importable() -> bool:
    """Make the lab importable from the checkout, when it is not already (an editable install maps only
    the obsgen package); False when there is no checkout holding it."""
    if _checkout_lab_found():
        return True
    try:
        root = find_repo_root()
    except CheckoutNotFound:
        return False
    if not (root / LAB_PACKAGE / "__init__.py").is_file():
        return False
    sys.path.insert(0, str(root))  # before any unrelated top-level `lab` a user's environment may hold
    importlib.invalidate_caches()
    return _checkout_lab_found()


def _checkout_lab_found() -> bool:
    spec = importlib.util.find_spec(LAB_PACKAGE)
    return spec is not None and any(is_checkout(Path(p).parent) for p in spec.submodule_search_locations or ())


def default_state_dir() -> Path:
    """$OBSGEN_STACK_DIR, else .stack/ of the current directory: the project `obsgen build` writes into,
    whichever checkout obsgen is installed from."""
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override).resolve() if override else Path.cwd().resolve() / STATE_DIR_NAME
