"""SIGTERM and SIGINT (a cancelled workflow) end polling promptly, even inside a request, but
never interrupt the final report."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class Cancelled(BaseException):
    """Raised inside an interruptible section when a stop signal arrives."""


class Cancellation:
    def __init__(self) -> None:
        self.event = threading.Event()
        self.signal_name: str | None = None
        self._interruptible = False

    def install(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        self.signal_name = signal.Signals(signum).name
        self.event.set()
        if self._interruptible:
            self._interruptible = False
            raise Cancelled

    @property
    def requested(self) -> bool:
        return self.event.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when cancelled meanwhile."""
        return self.event.wait(max(seconds, 0.0))

    @contextmanager
    def interruptible(self) -> Iterator[None]:
        if self.event.is_set():
            raise Cancelled
        self._interruptible = True
        try:
            yield
        finally:
            self._interruptible = False
