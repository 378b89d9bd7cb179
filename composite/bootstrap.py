"""Set up the composite action's virtual environment: the pinned, hash-checked requirements
installed under RUNNER_TEMP with the Python the previous step found, reused when it is already
there (a second step in the job, a self-hosted runner). Prints where the environment's Python is
as the step output ``python``. Standard library only: it runs before anything is installed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACTION_ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ACTION_ROOT / "requirements.txt"
READY = ".autosana-ready"


def venv_key() -> str:
    """The environment fits only these requirements and this interpreter."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes())
    digest.update(f"{sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}".encode())
    digest.update(sys.executable.encode())
    return digest.hexdigest()[:16]


def venv_python(venv: Path) -> Path:
    if os.name == "nt":
        return venv / "Scripts" / "python.exe"
    return venv / "bin" / "python"


def create(venv: Path) -> None:
    """Build the environment next to its final place and move it in only when complete, so a step
    that dies half-way never leaves one that looks ready."""
    staging = Path(tempfile.mkdtemp(prefix=venv.name + ".", dir=venv.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(staging)], check=True)  # noqa: S603
        pip = [str(venv_python(staging)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        pip += ["--no-input", "--only-binary=:all:", "--require-hashes", "-r", str(REQUIREMENTS)]
        subprocess.run(pip, check=True)  # noqa: S603
        (staging / READY).write_text("ok\n", encoding="utf-8")
        try:
            staging.rename(venv)
        except OSError:
            if not (venv / READY).exists():  # another step won the race with a complete one
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_output(name: str, value: str) -> None:
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(f"{name}={value}\n")
    else:
        print(f"{name}={value}")


def main() -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 the runner's Python, before anything is checked
        print(f"::error::autosana-action needs Python 3.11 or newer, not {sys.version.split()[0]}")
        return 2
    temp = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir())
    venv = temp / f"autosana-action-venv-{venv_key()}"
    started = time.monotonic()
    if (venv / READY).exists() and venv_python(venv).exists():
        print(f"Reusing the virtual environment in {venv}")
    else:
        shutil.rmtree(venv, ignore_errors=True)  # an unfinished one from an older step
        print(f"Installing the pinned requirements into {venv} with Python {sys.version.split()[0]}")
        temp.mkdir(parents=True, exist_ok=True)
        create(venv)
        print(f"Installed in {time.monotonic() - started:.1f} s")
    write_output("python", str(venv_python(venv)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
