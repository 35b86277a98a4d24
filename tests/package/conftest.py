from __future__ import annotations

import pytest

from tests.package.installed import Installed, build_wheel, install_into_fresh_venv


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel of this checkout in a fresh venv, built once for every test that needs it."""
    work = tmp_path_factory.mktemp("wheel")
    return install_into_fresh_venv(build_wheel(work), work / "venv")
