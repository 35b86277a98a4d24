"""Where things live: the repository's stack assets and the runtime state directory."""

from __future__ import annotations

import dataclasses
from pathlib import Path

# Where the checkout and the state directory are is obsgen's to know too: its lab commands and `build`'s
# reload of a native stack ask before importing the lab.
from obsgen.checkout import default_state_dir, find_repo_root

GENERATED_DIR_NAME = "generated"


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
