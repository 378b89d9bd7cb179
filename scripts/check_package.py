"""Build the sdist and wheel, check them as PyPI will (twine check --strict), install the wheel
into a fresh virtual environment as `pip install autosana-action` would, and run the demo with
the installed `autosana-action` command: what a user of PyPI or pipx gets.

    python scripts/check_package.py dist                 # CI and `make package`
    python scripts/check_package.py DIR --no-isolation --find-links WHEELS   # offline (the tests)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What the wheel may hold at its top level: the package, its demo's simulator and metadata.
ALLOWED_TOP = ("autosana_action", "autosana_sim", "simulator", "autosana_simulator")


def run(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} exited with {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


def build(outdir: Path, isolation: bool) -> tuple[Path, Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    flags = [] if isolation else ["--no-isolation"]
    # sdist first, then the wheel from the unpacked sdist: no stale build/lib can slip in.
    run(sys.executable, "-m", "build", *flags, "--outdir", outdir, ROOT)
    (wheel,) = outdir.glob("autosana_action-*.whl")
    (sdist,) = outdir.glob("autosana_action-*.tar.gz")
    return sdist, wheel


def wheel_problems(wheel: Path) -> list[str]:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    strays = sorted(t for t in tops if not t.endswith(".dist-info") and t not in ALLOWED_TOP)
    problems = [f"the wheel holds {t}, which is not the package" for t in strays]
    if "autosana_action/__init__.py" not in names:
        problems.append("the wheel has no autosana_action package")
    return problems


def venv_bin(venv: Path, name: str) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / (name + (".exe" if os.name == "nt" else ""))


def install_and_demo(wheel: Path, workdir: Path, find_links: Path | None) -> str:
    venv = workdir / "venv"
    run(sys.executable, "-m", "venv", venv)
    index = ["--no-index", "--find-links", str(find_links)] if find_links else []
    pip: list[str | Path] = [
        venv_bin(venv, "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        *index,
    ]
    run(*pip, wheel)
    demo = workdir / "demo"
    demo.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "PYTHON"))}
    command = venv_bin(venv, "autosana-action")
    version = run(command, "--version", env=env).strip()
    log = run(command, "demo", "--poll-interval", "0.1", cwd=demo, env=env)
    if "the action exited with 1 for the web job and 1 for the mobile job" not in log:
        raise SystemExit(f"the installed demo did not run as expected:\n{log}")
    if not (demo / "autosana-results.json").is_file():
        raise SystemExit("the installed demo wrote no autosana-results.json")
    return version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--no-isolation", action="store_true", help="build with this environment's setuptools")
    parser.add_argument("--find-links", type=Path, help="install the dependencies from these wheels only")
    args = parser.parse_args(argv)
    sdist, wheel = build(args.outdir, isolation=not args.no_isolation)
    print(f"built {sdist.name} and {wheel.name}")
    run(sys.executable, "-m", "twine", "check", "--strict", sdist, wheel)
    print("twine check --strict: PASSED")
    problems = wheel_problems(wheel)
    for problem in problems:
        print(f"error: {problem}")
    if problems:
        return 1
    version = install_and_demo(wheel, args.outdir / "check", args.find_links)
    print(f"installed into a fresh virtual environment: {version}; `autosana-action demo` ran from it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
