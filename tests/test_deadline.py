"""timeout-minutes is a promise: no status request, with its retries and Retry-After waits, runs
past the deadline. Delays are read from the simulator's recorded request times."""

from __future__ import annotations

import io
import itertools
import time

import pytest
from action_harness import ActionRunner
from conftest import API_KEY, LOGIN, base_inputs

from autosana_action.autosana import client as client_module
from autosana_action.autosana.client import AutosanaClient
from autosana_action.autosana.errors import TransientApiError
from autosana_action.cancellation import Cancellation
from autosana_action.poll.poller import MIN_REQUEST_SECONDS, Outcome, poll
from autosana_action.workflow import Workflow
from autosana_sim import AutosanaSimulator, Fault

STATUS = "/api/v1/runs/status"
TRIGGER = "/api/v1/flows/run"
DEADLINE = 0.02 * 60  # timeout-minutes: 0.02


def started_batch(sim: AutosanaSimulator, client: AutosanaClient) -> str:
    batch_id = client.trigger({"bundle_id": "a", "platform": "ios", "suite_ids": [LOGIN]}).batch_id
    assert batch_id is not None
    return batch_id


def test_a_slowly_failing_server_is_given_up_on_at_the_deadline(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    # Each answer is a 503 after 1 s: urllib3 alone would retry 4 times with backoff, ~12 s.
    sim.faults = [Fault("status", STATUS, 503, delay=1.0) for _ in range(100)]
    result = runner.run(base_inputs(sim, timeout_minutes="0.02"), timeout=60)
    assert result.returncode == 1 and result.outputs["result"] == "timed_out"
    assert "503" in result.summary or "timed out" in result.summary, "the last error is reported"
    (trigger,) = sim.calls(TRIGGER)
    last_start = max(call.at for call in sim.calls(STATUS))
    # No attempt starts after the last poll's grace, however many retries urllib3 had left.
    assert last_start - trigger.at < DEADLINE + MIN_REQUEST_SECONDS + 0.5, last_start - trigger.at


def test_retry_after_beyond_the_deadline_is_not_waited_for(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("status", STATUS, 429, {"Retry-After": "30"}) for _ in range(100)]
    result = runner.run(base_inputs(sim, timeout_minutes="0.02"), timeout=120)
    ended = time.time()
    assert result.returncode == 1 and result.outputs["result"] == "timed_out"
    first = sim.calls(STATUS)[0]
    assert ended - first.at < 30, "stopped before the server's Retry-After elapsed"
    # The server asked for 30 s: it is asked again only for the last poll at the deadline.
    assert len(sim.calls(STATUS)) <= 2


def test_retry_after_is_honoured_within_the_time_left(sim: AutosanaSimulator) -> None:
    sim.faults = [Fault("status", STATUS, 429, {"Retry-After": "1"})]
    with AutosanaClient(sim.url, API_KEY) as client:
        client.batch_status(started_batch(sim, client), within=5)
    first, second = sim.calls(STATUS)
    assert second.at - first.at >= 0.95


def test_a_retry_after_longer_than_the_time_left_ends_the_request(sim: AutosanaSimulator) -> None:
    sim.faults = [Fault("status", STATUS, 429, {"Retry-After": "30"})]
    with AutosanaClient(sim.url, API_KEY) as client:
        batch = started_batch(sim, client)
        with pytest.raises(TransientApiError) as caught:
            client.batch_status(batch, within=1)
    assert caught.value.status == 429 and caught.value.retry_after == 30
    assert len(sim.calls(STATUS)) == 1


def test_a_slow_answer_is_cut_at_the_time_left(sim: AutosanaSimulator) -> None:
    sim.faults = [Fault("slow", STATUS, delay=3)]
    with AutosanaClient(sim.url, API_KEY) as client:
        batch = started_batch(sim, client)
        with pytest.raises(TransientApiError, match="ReadTimeout"):
            client.batch_status(batch, within=0.5)
        after = time.time()
    (call,) = sim.calls(STATUS)
    assert after - call.at < 3, "gave up before the slow answer came"


def test_retry_after_is_capped(sim: AutosanaSimulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "MAX_RETRY_AFTER", 0.5)
    sim.faults = [Fault("status", STATUS, 429, {"Retry-After": "3600"})]
    with AutosanaClient(sim.url, API_KEY) as client:
        # The budget only keeps a broken cap from hanging the test; the cap must let it retry.
        client.batch_status(started_batch(sim, client), within=10)
    first, second = sim.calls(STATUS)
    assert 0.45 <= second.at - first.at < 5


def test_poll_backs_off_on_errors(sim: AutosanaSimulator) -> None:
    # Unreadable answers are not retried inside the request, so each one is a poll-level failure.
    sim.faults = [Fault("malformed", STATUS) for _ in range(3)]
    interval = 0.2
    with AutosanaClient(sim.url, API_KEY) as client:
        polled = poll(
            client,
            started_batch(sim, client),
            interval=interval,
            timeout=30,
            cancellation=Cancellation(),
            workflow=Workflow({}, io.StringIO()),
            on_status=lambda status: None,
        )
    assert polled.outcome is Outcome.COMPLETE
    starts = [call.at for call in sim.calls(STATUS)]
    gaps = [b - a for a, b in itertools.pairwise(starts)][:3]
    assert [round(g / interval) for g in gaps] == [1, 2, 4], gaps
