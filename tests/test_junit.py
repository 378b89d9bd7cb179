"""JUnit after a timeout or a cancel: runs still going are skipped as not finished, never errors."""

from __future__ import annotations

import math
import signal
import time
import xml.etree.ElementTree as ET

from action_harness import ActionRunner
from conftest import base_inputs

from autosana_sim import AutosanaSimulator, FlowPlan

SLOW = "bbbbbbbb-0000-4000-8000-00000000000a"


def plan_slow(sim: AutosanaSimulator) -> None:
    sim.plan(
        SLOW,
        "Slow",
        FlowPlan("never ends", "passed", math.inf),
        FlowPlan("quick", "passed", 0.05, "ok"),
        FlowPlan("quick failure", "failed", 0.05, "wrong total"),
    )


def junit(runner: ActionRunner) -> ET.Element:
    return ET.parse(runner.workdir / "junit.xml").getroot()


def assert_unfinished_is_skipped(root: ET.Element) -> None:
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("3", "1", "0", "1")
    skipped = root.find("testsuite/testcase[@name='never ends']/skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("not finished (")
    assert root.find(".//error") is None


def test_runs_still_going_at_the_timeout_are_skipped(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    plan_slow(sim)
    result = runner.run(base_inputs(sim, suite_ids=SLOW, timeout_minutes="0.03", junit_path="junit.xml"))
    assert result.outputs["result"] == "timed_out"
    assert_unfinished_is_skipped(junit(runner))


def test_runs_still_going_at_a_cancel_are_skipped(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    plan_slow(sim)
    proc = runner.start(base_inputs(sim, suite_ids=SLOW, junit_path="junit.xml"))
    batch = sim.batches[runner.wait_for_output("batch-id", proc)]
    # Cancel once a status has shown the quick runs finished, so the report holds all three.
    while not [c for c in sim.calls("/api/v1/runs/status") if c.at > batch.created + 0.2]:
        assert proc.poll() is None
        time.sleep(0.05)
    runner.interrupt(proc, signal.SIGTERM)
    result = runner.finish(proc, timeout=10)
    assert result.outputs["result"] == "cancelled"
    assert_unfinished_is_skipped(junit(runner))
