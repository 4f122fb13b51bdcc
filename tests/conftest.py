"""Shared fixtures: real DICOM from pydicom-data, real NIfTI from ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from radgen.cli.main import main
from radgen.data import shared_data_dir


@pytest.fixture(scope="session")
def dicom_dir() -> Path:
    """pydicom-data's folder of real DICOM files (CT, MR, CR, US...)."""
    import data_store

    return Path(data_store.__file__).parent / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``radgen ARGS`` in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run
