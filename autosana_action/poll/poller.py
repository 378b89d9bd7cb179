"""Poll the batch until it is complete, the deadline passes or the workflow is cancelled."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from ..autosana.client import AutosanaClient
from ..autosana.errors import ApiError, TransientApiError
from ..autosana.models import BatchStatus
from ..cancellation import Cancellation, Cancelled
from ..workflow import Workflow

MAX_ERROR_BACKOFF = 60.0
# The last poll, due right at the deadline, still gets this long to answer: a batch that
# completed just in time is reported as complete.
MIN_REQUEST_SECONDS = 2.0


class Outcome(StrEnum):
    COMPLETE = "complete"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    API_ERROR = "api_error"


@dataclass
class PollResult:
    outcome: Outcome
    status: BatchStatus | None
    polls: int
    error: str | None = None


def poll(
    client: AutosanaClient,
    batch_id: str,
    *,
    interval: float,
    timeout: float,
    cancellation: Cancellation,
    workflow: Workflow,
    on_status: Callable[[BatchStatus], None],
    clock: Callable[[], float] = time.monotonic,
) -> PollResult:
    deadline = clock() + timeout
    last: BatchStatus | None = None
    last_error: str | None = None
    failures = polls = 0
    asked_to_wait = 0.0  # the server's Retry-After on the last failure
    while True:
        started = clock()
        try:
            with cancellation.interruptible():
                polls += 1
                status = client.batch_status(batch_id, within=max(deadline - clock(), MIN_REQUEST_SECONDS))
        except Cancelled:
            return PollResult(Outcome.CANCELLED, last, polls, last_error)
        except TransientApiError as exc:
            failures += 1
            last_error = str(exc)
            asked_to_wait = exc.retry_after or 0.0
            workflow.warning(f"{exc} (attempt {failures}; still polling until the deadline)")
        except ApiError as exc:
            return PollResult(Outcome.API_ERROR, last, polls, str(exc))
        else:
            failures = 0
            last = status
            on_status(status)
            if status.is_complete:
                return PollResult(Outcome.COMPLETE, status, polls)
        remaining = deadline - clock()
        if remaining <= 0:
            return PollResult(Outcome.TIMED_OUT, last, polls, last_error)
        if failures:
            pause = max(min(interval * 2 ** (failures - 1), max(interval, MAX_ERROR_BACKOFF)), asked_to_wait)
        else:
            # Polls start `interval` apart, however long the request and our handling took.
            pause = interval - (clock() - started)
        if cancellation.wait(min(pause, remaining)):
            return PollResult(Outcome.CANCELLED, last, polls, last_error)
