"""Start-up of the composite action (composite/action.yml, run as the runner runs it) to its first
Autosana request: cold (an empty RUNNER_TEMP, the requirements installed from a local wheel cache,
and once from the index) and warm (the virtual environment reused), against the Docker action's
image build and start to its first request (one measurement, with podman, when it is set up:
../shared/tools/container-env.sh). Printed, not asserted.

    python bench/composite_startup.py [--warm N] [--cold N] [--no-index-run] [--no-container]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from action_harness import ROOT, ActionRunner
from support.composite_runner import CompositeRunner

from autosana_sim import AutosanaSimulator, FlowPlan

SUITE = "99999999-0000-4000-8000-000000000001"
IMAGE = "localhost/autosana-action:bench-composite"


def inputs(sim: AutosanaSimulator) -> dict[str, str]:
    return {
        "api-key": "k",
        "api-url": sim.url,
        "bundle-id": "com.company.app",
        "platform": "android",
        "suite-ids": SUITE,
        "poll-interval": "0.1",
        "check-run": "false",
        "comment-mode": "off",
        "run-changed-flows": "false",
    }


def composite_first_request(runner_temp: Path, pip_env: dict[str, str]) -> float:
    """Seconds from the action's first step to its first Autosana request."""
    with AutosanaSimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        sim.plan(SUITE, "Bench", FlowPlan("quick", "passed", 0.05, "ok"))
        runner = CompositeRunner(Path(tmp), "push", {}, runner_temp=runner_temp)
        runner.extra_env.update(pip_env)
        started = time.time()
        result = runner.run(inputs(sim), timeout=600)
        assert result.returncode == 0, runner.setup_log + result.stdout + result.stderr
        first = min(r.at for r in sim.requests)
        return first - started


def download_wheels(folder: Path) -> None:
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check"),
            *("--only-binary=:all:", "--require-hashes", "-r", str(ROOT / "requirements.txt"), "-d", str(folder)),
        ],
        check=True,
    )


def container_first_request() -> tuple[float, float] | None:
    """Image build (no cache) and container start to first request, once; None without podman."""
    base = os.environ.get("STANDIN_BASE", "localhost/standin-python:slim")
    flags = ["--runtime", "runc", "--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
    try:
        if subprocess.run(["podman", "image", "exists", base], check=False).returncode != 0:
            return None
    except FileNotFoundError:
        return None
    started = time.time()
    build = ["podman", "build", *flags, "--no-cache", "--quiet", "--build-arg", f"BASE_IMAGE={base}", "-t", IMAGE]
    subprocess.run([*build, str(ROOT)], check=True, capture_output=True)
    built = time.time() - started
    with AutosanaSimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        sim.plan(SUITE, "Bench", FlowPlan("quick", "passed", 0.05, "ok"))
        env = ActionRunner(Path(tmp), "push", {}).env(inputs(sim))
        keep = {k: v for k, v in env.items() if k.startswith(("INPUT_", "GITHUB_ACTIONS", "GITHUB_REPOSITORY"))}
        args = [arg for k, v in keep.items() for arg in ("-e", f"{k}={v}")]
        started = time.time()
        subprocess.run(["podman", "run", *flags, "--rm", *args, IMAGE], check=False, capture_output=True, timeout=300)
        first = min(r.at for r in sim.requests) - started
    subprocess.run(["podman", "rmi", "-f", IMAGE], check=False, capture_output=True)
    return built, first


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--no-index-run", action="store_true", help="skip the cold run that installs from the index")
    parser.add_argument("--no-container", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(tmp, "wheels")
        download_wheels(wheels)
        offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheels)}
        cold = [composite_first_request(Path(tmp, f"cold{i}"), offline) for i in range(args.cold)]
        index = None if args.no_index_run else composite_first_request(Path(tmp, "index"), {})
        warm_temp = Path(tmp, "warm")
        composite_first_request(warm_temp, offline)
        warm = [composite_first_request(warm_temp, offline) for _ in range(args.warm)]
    print("| composite action, first step to first Autosana request | value | aim |")
    print("|---|---|---|")
    print(f"| warm: virtual environment reused (median of {len(warm)}) | {statistics.median(warm):.2f} s | ≤ 3 s |")
    cold_median = statistics.median(cold)
    print(f"| cold: empty RUNNER_TEMP, local wheel cache (median of {len(cold)}) | {cold_median:.2f} s | ≤ 20 s |")
    if index is not None:
        print(f"| cold: empty RUNNER_TEMP, wheels from the index (once) | {index:.2f} s | ≤ 20 s |")
    container = None if args.no_container else container_first_request()
    if container is None:
        print("| Docker action | skipped: no podman stand-in base (../shared/tools/container-env.sh) | |")
    else:
        built, first = container
        print(f"| Docker action: image build, no cache, stand-in base (once) | {built:.1f} s | report |")
        print(f"| Docker action: container start to first Autosana request (once) | {first:.2f} s | report |")
        print(f"| Docker action: build + start (once) | {built + first:.1f} s | report |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
