"""A thread pool whose workers are daemon threads. ``concurrent.futures.ThreadPoolExecutor``
joins its workers when the interpreter exits, so one hung request (30 s read timeout, retried)
kept the step alive minutes after its report was published; these workers are simply dropped
when the process ends. Same ``submit``/``shutdown`` as the executor, futures included."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")
_Job = tuple[Future[Any], Callable[[], Any]]


class DaemonPool:
    def __init__(self, max_workers: int, thread_name_prefix: str = "daemon") -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._max = max_workers
        self._prefix = thread_name_prefix
        self._workers: list[threading.Thread] = []
        self._closed = False
        self._lock = threading.Lock()

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit after shutdown")
            self._jobs.put((future, lambda: fn(*args)))
            if len(self._workers) < self._max:
                worker = threading.Thread(target=self._work, name=f"{self._prefix}_{len(self._workers)}", daemon=True)
                self._workers.append(worker)
                worker.start()
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                self._jobs.put(None)  # wake the next worker too
                return
            future, call = job
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(call())
            except BaseException as exc:  # the caller reads it from the future
                future.set_exception(exc)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; cancel what has not started when asked. ``wait`` joins the workers
        (never at interpreter exit: they are daemons)."""
        with self._lock:
            self._closed = True
        if cancel_futures:
            while True:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is not None:
                    job[0].cancel()
        self._jobs.put(None)
        if wait:
            for worker in self._workers:
                worker.join()
