"""Where things live: the repository's stack assets and the runtime state directory."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from obsgen.errors import ObsgenError

STATE_DIR_ENV = "OBSGEN_STACK_DIR"
REPO_ROOT_ENV = "OBSGEN_REPO_ROOT"


class CheckoutNotFound(ObsgenError, RuntimeError):
    """The demo lab's assets (stack/) live in the source checkout, not in the installed package."""

    exit_code = 2


def find_repo_root() -> Path:
    """The checkout holding `stack/` (templates) and `generated/` (obsgen build output)."""
    override = os.environ.get(REPO_ROOT_ENV)
    if override:
        return Path(override).resolve()
    here = Path(__file__).resolve()
    for candidate in here.parents:
        if (candidate / "pyproject.toml").is_file() and (candidate / "stack").is_dir():
            return candidate
    raise CheckoutNotFound(
        f"cannot find the obsgen checkout (a directory with pyproject.toml and stack/) above {here}; "
        f"set {REPO_ROOT_ENV}"
    )


STATE_DIR_NAME = ".stack"
GENERATED_DIR_NAME = "generated"


def default_state_dir() -> Path:
    """$OBSGEN_STACK_DIR, else .stack/ of the current directory: the project `obsgen build` writes into,
    whichever checkout obsgen is installed from."""
    override = os.environ.get(STATE_DIR_ENV)
    return Path(override).resolve() if override else Path.cwd().resolve() / STATE_DIR_NAME


def default_generated_dir() -> Path:
    """Where `obsgen build` writes by default, from the current directory."""
    return Path.cwd().resolve() / GENERATED_DIR_NAME


@dataclasses.dataclass(frozen=True)
class Layout:
    repo_root: Path
    state_dir: Path
    generated_dir: Path

    @classmethod
    def create(cls, state_dir: Path | str | None = None, repo_root: Path | str | None = None,
               generated_dir: Path | str | None = None) -> Layout:
        root = Path(repo_root).resolve() if repo_root else find_repo_root()
        state = Path(state_dir).resolve() if state_dir else default_state_dir()
        generated = Path(generated_dir).resolve() if generated_dir else default_generated_dir()
        return cls(repo_root=root, state_dir=state, generated_dir=generated)

    @property
    def stack_assets(self) -> Path:
        return self.repo_root / "stack"

    @property
    def store_dir(self) -> Path:
        return self.stack_assets / "store"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def trace_dir(self) -> Path:
        return self.state_dir / "traces"

    @property
    def settings_file(self) -> Path:
        return self.state_dir / "stack.json"

    def service_dir(self, service: str) -> Path:
        return self.state_dir / service

    def pid_file(self, service: str) -> Path:
        return self.run_dir / f"{service}.pid"

    def log_file(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"
