"""One time budget for the whole step: ``timeout-minutes`` from the moment the inputs are read.
Upload, confirm, trigger, polling and run details all draw on the same ``Deadline``; what is
still running when it passes is reported as timed out. Reporting to GitHub then gets
``REPORTING_ALLOWANCE`` seconds more, and a watchdog ends the process when that is over too, so
no thread, retry or Retry-After wait can keep the step alive past the promise."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# After the deadline: completing the check run, the comment, the summary and outputs.
REPORTING_ALLOWANCE = 60.0
# A request that may still start gets at least this long (a request with less is not worth sending).
MIN_REQUEST = 0.05


class StepTimedOut(Exception):
    """The step's deadline passed while this stage was still running."""


class Deadline:
    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self.seconds = seconds
        self.at = clock() + seconds

    def left(self) -> float:
        return max(self.at - self._clock(), 0.0)

    @property
    def expired(self) -> bool:
        return self.left() <= 0.0

    def cap(self, seconds: float) -> float:
        """``seconds``, or what is left if that is less (never quite zero: a timeout of 0 means none)."""
        return max(min(seconds, self.left()), 0.01)


def run_within(deadline: Deadline | None, what: str, work: Callable[[], T]) -> T:
    """``work()`` in a daemon thread, waited for until the deadline at most: a transfer that keeps
    moving a byte a minute never trips a stall timeout, but it cannot outlive the step. Signals
    (a cancelled workflow) still reach the waiting main thread."""
    if deadline is None:
        return work()
    done = threading.Event()
    result: list[T] = []
    error: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the waiting thread as it is
            error.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name=what, daemon=True).start()
    if not done.wait(deadline.left()):
        raise StepTimedOut(f"{what} was still running when timeout-minutes ({deadline.seconds / 60:g} min) ran out")
    if error:
        raise error[0]
    return result[0]


class Watchdog:
    """Ends the process at the deadline plus the reporting allowance, with ``code`` (set to the
    step's outcome once it is known, else 1). Only the entrypoint arms it: never a test process."""

    def __init__(self, deadline: Deadline, allowance: float = REPORTING_ALLOWANCE) -> None:
        self.deadline = deadline
        self.allowance = allowance
        self.code = 1

    def arm(self) -> None:
        threading.Thread(target=self._watch, name="step-deadline", daemon=True).start()

    def _watch(self) -> None:
        time.sleep(self.deadline.left() + self.allowance)
        print(
            f"error: the step ran {self.allowance:g} s past timeout-minutes while reporting; stopping now",
            file=sys.stderr,
            flush=True,
        )
        sys.stdout.flush()
        os._exit(self.code)
