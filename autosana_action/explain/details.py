"""Per-run details (failing step, issues, artifacts) for the runs worth explaining, read in the
background as each run finishes, so the report waits only for the last few.

Runs that did not pass come first (up to MAX_PROBLEM_DETAILS), passed runs after them for
their UX issues (up to MAX_PASSED_DETAILS). A detail that cannot be read only leaves that run
less explained."""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, wait

from ..autosana.client import AutosanaClient
from ..autosana.errors import ApiError
from ..autosana.models import PASSED, BatchStatus, Run, RunDetail, is_problem
from ..daemon_pool import DaemonPool

MAX_PROBLEM_DETAILS = 100
MAX_PASSED_DETAILS = 24
CONCURRENCY = 8
TIME_BUDGET = 30.0


class DetailFetcher:
    def __init__(
        self,
        client: AutosanaClient,
        *,
        concurrency: int = CONCURRENCY,
        max_problems: int = MAX_PROBLEM_DETAILS,
        max_passed: int = MAX_PASSED_DETAILS,
    ) -> None:
        self._client = client
        # Daemon workers: a hung detail request never holds the process after the report is out.
        self._pool = DaemonPool(max_workers=concurrency, thread_name_prefix="run-detail")
        self._pending: dict[Future[RunDetail], Run] = {}
        self._seen: set[str] = set()
        self._left = {True: max_problems, False: max_passed}
        self.left_out_problems = 0
        self.details: dict[str, RunDetail] = {}
        self.errors: list[str] = []

    def submit_finished(self, status: BatchStatus) -> None:
        """Start reading details of runs that have just finished (all runs once complete)."""
        for _, run in status.runs():
            if run.id in self._seen or not (run.is_final or status.is_complete):
                continue
            self._seen.add(run.id)
            problem = is_problem(run)
            if not problem and run.status != PASSED:
                continue
            if self._left[problem] <= 0:
                self.left_out_problems += problem
                continue
            self._left[problem] -= 1
            self._pending[self._pool.submit(self._client.run_detail, run.id)] = run

    def collect(self, budget: float = TIME_BUDGET) -> None:
        """Wait for what was started, at most ``budget`` seconds (and never past the step's
        deadline); then stop."""
        if self._client.deadline is not None:
            budget = min(budget, self._client.deadline.left())
        deadline = time.monotonic() + budget
        try:
            while self._pending:
                done, _ = wait(self._pending, timeout=max(deadline - time.monotonic(), 0), return_when=FIRST_COMPLETED)
                if not done:
                    self.errors.append(f"{len(self._pending)} run details were not read within {budget:.3g} s")
                    break
                for future in done:
                    run = self._pending.pop(future)
                    try:
                        self.details[run.id] = future.result()
                    except ApiError as exc:
                        self.errors.append(f"{run.name or run.id}: {exc}")
        finally:
            self.close()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
