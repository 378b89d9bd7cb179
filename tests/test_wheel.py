"""The package as PyPI users get it: sdist and wheel built, checked with twine, the wheel
installed into a fresh virtual environment and its `autosana-action demo` run
(scripts/check_package.py, which CI also runs on its own)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

from action_harness import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from check_package import main, wheel_problems


def test_wheel_installs_and_runs_the_demo(tmp_path: Path, wheelhouse: Path) -> None:
    assert main([str(tmp_path / "dist"), "--no-isolation", "--find-links", str(wheelhouse)]) == 0
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [n for n in names if n.startswith(("tests/", "bench/", "scripts/", "composite/"))]
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "autosana-action = autosana_action.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_a_stray_top_level_package_in_the_wheel_is_refused(tmp_path: Path) -> None:
    wheel = tmp_path / "autosana_action-0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("autosana_action/__init__.py", "")
        zf.writestr("tests/conftest.py", "")
        zf.writestr("autosana_action-0.dist-info/METADATA", "")
    assert wheel_problems(wheel) == ["the wheel holds tests, which is not the package"]
