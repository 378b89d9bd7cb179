"""timeout-minutes bounds the whole step: a slow answer at any stage (trigger, confirm-upload,
the PUT to storage, run details) ends in ``timed_out`` at the deadline, with the check completed,
and the process exits right after reporting. entrypoint.py runs as the runner runs it, against
the simulator, its storage and fake GitHub; wall-clock times are measured around the process."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

from action_harness import ActionResult, ActionRunner
from conftest import base_inputs
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator, Fault, StorageFault

TIMEOUT_MINUTES = "0.05"  # 3 s
BUDGET = 3.0
# What may follow the deadline here: reporting to a local fake GitHub and interpreter exit.
SLACK = 4.0


def timed_run(runner: ActionRunner, inputs: dict[str, str]) -> tuple[ActionResult, float]:
    started = time.monotonic()
    result = runner.run(inputs, timeout=120)
    return result, time.monotonic() - started


def write_apk(runner: ActionRunner) -> None:
    (runner.workdir / "app.apk").write_bytes(b"PK" + b"\0" * 200_000)


def assert_timed_out(result: ActionResult, elapsed: float, github: FakeGitHub) -> None:
    assert result.outputs.get("result") == "timed_out", result.stdout[-3000:] + result.stderr[-2000:]
    assert result.returncode == 1
    assert elapsed < BUDGET + SLACK, f"the step took {elapsed:.1f} s"
    assert [c["conclusion"] for c in github.check_runs()] == ["timed_out"]


def test_a_slow_trigger_ends_at_the_deadline(sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub) -> None:
    sim.faults.append(Fault("slow", path="/api/v1/flows/run", delay=20))
    result, elapsed = timed_run(runner, base_inputs(sim, timeout_minutes=TIMEOUT_MINUTES))
    assert_timed_out(result, elapsed, github)
    assert "while starting the flows" in result.summary and "may have started anyway" in result.summary


def test_a_slow_confirm_upload_ends_at_the_deadline(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    write_apk(runner)
    sim.faults.append(Fault("slow", path="/api/ci/confirm-upload", delay=20))
    result, elapsed = timed_run(runner, base_inputs(sim, build_path="app.apk", timeout_minutes=TIMEOUT_MINUTES))
    assert_timed_out(result, elapsed, github)
    assert sim.calls("/api/v1/flows/run") == []


def test_a_put_that_keeps_dripping_ends_at_the_deadline(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    """Storage reads part of the body and then nothing for 20 s: under the 60 s stall limit."""
    write_apk(runner)
    sim.storage.faults.append(StorageFault("hang", after_bytes=50_000, delay=20))
    result, elapsed = timed_run(runner, base_inputs(sim, build_path="app.apk", timeout_minutes=TIMEOUT_MINUTES))
    assert_timed_out(result, elapsed, github)
    assert "while uploading the build" in result.summary
    assert sim.calls("/api/ci/confirm-upload") == []


def test_a_hung_run_detail_does_not_keep_the_process_alive(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    """The batch completes in time; every run-detail request then hangs for 50 s. The report is
    published when the deadline comes, and the process ends with it (no worker is joined)."""
    sim.detail_delay = 50
    inputs = base_inputs(sim, timeout_minutes=TIMEOUT_MINUTES, suite_ids="aaaaaaaa-0000-4000-8000-000000000002")
    result, elapsed = timed_run(runner, inputs)

    assert result.outputs["result"] == "failed", result.stdout[-2000:]
    assert elapsed < BUDGET + SLACK, f"the step took {elapsed:.1f} s"
    assert "run details could not be read" in result.stdout
    assert [c["conclusion"] for c in github.check_runs()] == ["failure"]


def test_the_watchdog_ends_the_process_after_the_reporting_allowance(tmp_path: Path) -> None:
    """Whatever still runs (here: a sleeping main thread, as a hung GitHub call would be), the
    process ends at the deadline plus the allowance, with the step's exit status."""
    script = textwrap.dedent(
        """
        import time
        from autosana_action.deadline import Deadline, Watchdog
        dog = Watchdog(Deadline(0.3), allowance=0.3)
        dog.code = 0
        dog.arm()
        time.sleep(30)
        """
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    elapsed = time.monotonic() - started
    assert done.returncode == 0 and elapsed < 5, (done.returncode, elapsed, done.stderr)
    assert "past timeout-minutes" in done.stderr


def test_run_detail_workers_are_never_joined_at_exit() -> None:
    """ThreadPoolExecutor joins its workers at interpreter exit; the detail pool must not."""
    script = textwrap.dedent(
        """
        import time
        from autosana_action.daemon_pool import DaemonPool
        pool = DaemonPool(max_workers=2)
        future = pool.submit(time.sleep, 30)
        pool.shutdown(wait=False, cancel_futures=True)
        """
    )
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and time.monotonic() - started < 5, done.stderr
