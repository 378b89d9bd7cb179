"""The Autosana API failing the way real servers fail: the action retries what is transient,
stops at once on what is not, and always says what happened."""

from __future__ import annotations

import signal
import time

import pytest
from action_harness import ActionRunner
from conftest import LOGIN, base_inputs

from autosana_action.autosana.client import AutosanaClient
from autosana_action.autosana.errors import ApiError, TransientApiError
from autosana_sim import AutosanaSimulator, Fault

STATUS = "/api/v1/runs/status"
TRIGGER = "/api/v1/flows/run"


@pytest.mark.parametrize(
    "fault",
    [
        Fault("status", STATUS, 429, {"Retry-After": "1"}),
        Fault("status", STATUS, 503),
        Fault("status", STATUS, 500, body={"detail": "Internal Server Error"}),
        Fault("html", STATUS, 502),
        Fault("reset", STATUS),
        Fault("malformed", STATUS),
        Fault("wrong_shape", STATUS),
        Fault("status", STATUS, 503, delay=0.5),
    ],
    ids=lambda f: f"{'slow' if f.delay else f.kind}-{f.status}",
)
def test_transient_status_failures_are_retried(sim: AutosanaSimulator, runner: ActionRunner, fault: Fault) -> None:
    sim.faults = [Fault(fault.kind, fault.path, fault.status, fault.headers, fault.body, fault.delay)] * 2
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["result"] == "passed"
    assert sim.faults == []


def test_retry_after_is_honoured(sim: AutosanaSimulator) -> None:
    sim.faults = [Fault("status", STATUS, 429, {"Retry-After": "1"})]
    with AutosanaClient(sim.url, "test-key-6f1c2a9b8e") as client:
        batch = client.trigger({"bundle_id": "a", "platform": "ios", "suite_ids": [LOGIN]}).batch_id
        assert batch is not None
        client.batch_status(batch)
    first, second = sim.calls(STATUS)
    assert second.at - first.at >= 0.95, "the retry came before the server's Retry-After"


def test_slow_answer_times_out_and_is_retried(sim: AutosanaSimulator) -> None:
    sim.faults = [Fault("slow", STATUS, delay=1.5)]
    with AutosanaClient(sim.url, "test-key-6f1c2a9b8e", read_timeout=0.3) as client:
        batch = client.trigger({"bundle_id": "a", "platform": "ios", "suite_ids": [LOGIN]}).batch_id
        assert batch is not None
        status = client.batch_status(batch)
    assert status.batch_id == batch
    assert len(sim.calls(STATUS)) == 2


def test_status_keeps_failing_until_the_deadline(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("status", STATUS, 503) for _ in range(200)]
    result = runner.run(base_inputs(sim, timeout_minutes="0.02"), timeout=90)
    assert result.returncode == 1
    assert result.outputs["result"] == "timed_out"
    assert "503" in result.summary and result.outputs["batch-id"]


@pytest.mark.parametrize(
    ("setup", "code", "words"),
    [
        ("bad-key", 2, ["401", "api-key"]),
        ("missing-suite", 2, ["404", "Suite or flow not found", "check app-id"]),
        ("ambiguous", 2, ["400", "belongs to multiple suites", "suite-overrides"]),
        ("unknown-build", 2, ["404", "Build not found"]),
        ("validation", 2, ["422", "suite_ids.0: Input should be a valid UUID"]),
        ("server-error", 1, ["503"]),
        ("malformed", 1, ["cannot read", "may have started anyway"]),
    ],
)
def test_trigger_failures_stop_with_the_detail(
    sim: AutosanaSimulator, runner: ActionRunner, setup: str, code: int, words: list[str]
) -> None:
    inputs = base_inputs(sim)
    flow = "dddddddd-0000-4000-8000-000000000001"
    if setup == "bad-key":
        inputs["api-key"] = "wrong-key-value"
    elif setup == "missing-suite":
        sim.missing_ids.add(LOGIN)
    elif setup == "ambiguous":
        sim.ambiguous_flows.add(flow)
        inputs.update({"suite-ids": "", "flow-ids": flow})
    elif setup == "unknown-build":
        sim.builds = {"eeeeeeee-0000-4000-8000-000000000001"}
        inputs["app-build-id"] = "eeeeeeee-0000-4000-8000-000000000002"
    elif setup == "validation":
        detail = [{"loc": ["body", "suite_ids", 0], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}]
        sim.faults = [Fault("status", TRIGGER, 422, body={"detail": detail})]
    elif setup == "server-error":
        sim.faults = [Fault("status", TRIGGER, 503)]
    elif setup == "malformed":
        sim.faults = [Fault("malformed", TRIGGER)]
    result = runner.run(inputs)
    assert result.returncode == code
    error = result.commands("error")[0]
    for word in words:
        assert word in error
    assert len(sim.calls(TRIGGER)) == 1, "a trigger that may have started flows is never sent twice"
    assert result.outputs["result"] == "error"
    assert "The flows were not started" in result.summary


def test_trigger_rate_limit_is_retried(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("status", TRIGGER, 429, {"Retry-After": "0"})]
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0
    assert len(sim.calls(TRIGGER)) == 2


def test_trigger_unreachable(runner: ActionRunner) -> None:
    result = runner.run(
        {"api-key": "k", "api-url": "http://127.0.0.1:9", "bundle-id": "a", "platform": "ios", "suite-ids": LOGIN}
    )
    assert result.returncode == 1
    assert "127.0.0.1:9" in result.commands("error")[0]


def test_key_revoked_while_polling(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("status", STATUS, 401, body={"detail": "API key revoked"})]
    result = runner.run(base_inputs(sim))
    assert result.returncode == 1
    assert result.outputs["result"] == "error" and result.outputs["batch-id"]
    assert "API key revoked" in result.summary
    assert len(sim.calls(STATUS)) == 1


def test_client_errors_are_typed(sim: AutosanaSimulator) -> None:
    with AutosanaClient(sim.url, "nope") as client, pytest.raises(ApiError) as caught:
        client.batch_status("x")
    assert caught.value.status == 401 and not isinstance(caught.value, TransientApiError)


def test_cancel_during_a_hanging_request(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("slow", STATUS, delay=20)]
    proc = runner.start(base_inputs(sim))
    runner.wait_for_output("batch-id", proc)
    time.sleep(0.3)  # let the first status request start hanging
    runner.interrupt(proc, signal.SIGTERM)
    result = runner.finish(proc, timeout=8)
    assert result.outputs["result"] == "cancelled"
