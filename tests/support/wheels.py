"""The pinned requirements as local wheels, so tests that install them (the composite action's
virtual environment, the wheel check) never reach the index after the first download."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def download_wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Downloaded once per session (the conftest fixture); pip's cache makes later ones offline."""
    folder = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"),
            *("--only-binary=:all:", "--require-hashes", "-r", str(ROOT / "requirements.txt"), "-d", str(folder)),
        ],
        check=True,
        timeout=300,
    )
    return folder


def pip_offline(wheelhouse: Path) -> dict[str, str]:
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse)}
