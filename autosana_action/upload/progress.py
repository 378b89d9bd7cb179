"""Upload progress in the log: percent and MB/s every few seconds, so a slow upload is visibly
moving and a stuck one is visibly stuck."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import BinaryIO

from .facts import human_size

PROGRESS_INTERVAL = 5.0


class Progress:
    def __init__(
        self,
        total: int,
        say: Callable[[str], None],
        *,
        interval: float = PROGRESS_INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.say = say
        self.interval = interval
        self.clock = clock
        self.sent = 0
        self.started = clock()
        self._last_said = self.started

    def advance(self, count: int) -> None:
        self.sent += count
        now = self.clock()
        if now - self._last_said >= self.interval:
            self._last_said = now
            self.say(self.line(now))

    def line(self, now: float | None = None) -> str:
        now = self.clock() if now is None else now
        percent = 100.0 * self.sent / self.total if self.total else 100.0
        return f"Uploaded {human_size(self.sent)} of {human_size(self.total)} ({percent:.0f}%) at {self.rate(now)}"

    def rate(self, now: float | None = None) -> str:
        elapsed = max((self.clock() if now is None else now) - self.started, 1e-6)
        return f"{self.sent / elapsed / 1e6:.1f} MB/s"


class CountingReader:
    """The build file as a request body: read in blocks from disk, each block counted."""

    def __init__(self, stream: BinaryIO, size: int, progress: Progress) -> None:
        self._stream = stream
        self._size = size
        self._progress = progress

    def read(self, amount: int = -1) -> bytes:
        data = self._stream.read(amount)
        if data:
            self._progress.advance(len(data))
        return data

    def __len__(self) -> int:
        return self._size
