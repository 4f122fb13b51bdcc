"""Shared fixtures: real DICOM from pydicom-data, real volumes bundled in the package, and the
developers' ../shared/data for the few tests marked ``needs_shared_data``."""

from __future__ import annotations

from pathlib import Path

import pytest

from radgen.cli.main import main
from radgen.data import bundled_asset, shared_data_available, shared_data_dir

SHARED_REASON = (
    "needs the developers' ../shared/data (not on a user's machine; set RADGEN_SHARED_DATA)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``needs_shared_data`` tests, with one reason, when ../shared/data is absent."""
    if shared_data_available():
        return
    skip = pytest.mark.skip(reason=SHARED_REASON)
    for item in items:
        if "needs_shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def dicom_dir() -> Path:
    """pydicom-data's folder of real DICOM files (CT, MR, CR, US...)."""
    import data_store

    return Path(data_store.__file__).parent / "data"


@pytest.fixture(scope="session")
def bundled() -> Path:
    """Real volumes shipped in the package: ``mni152/`` (2 mm T1, T2, mask) and ``ct/``."""
    return bundled_asset("")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The developers' shared data; only for tests marked ``needs_shared_data``."""
    if not shared_data_available():
        pytest.skip(SHARED_REASON)
    return shared_data_dir()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``radgen ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
