"""Per-run details (failing step, issues, artifacts) for the runs worth explaining: those that
did not pass first, then passed runs for their UX issues. Bounded in count, concurrency and
time; a detail that cannot be read only leaves that run less explained."""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from .autosana_client import ApiError, AutosanaClient
from .models import Run, RunDetail, is_problem

MAX_DETAILS = 100
CONCURRENCY = 8
TIME_BUDGET = 30.0


def runs_to_explain(runs: Iterable[Run], cap: int = MAX_DETAILS) -> tuple[list[Run], int]:
    """Problem runs first, then passed ones; how many problem runs were left out by the cap."""
    ordered = sorted(runs, key=lambda r: not is_problem(r))
    chosen = ordered[:cap]
    return chosen, sum(is_problem(r) for r in ordered[cap:])


def fetch_details(
    client: AutosanaClient, runs: list[Run], *, concurrency: int = CONCURRENCY, budget: float = TIME_BUDGET
) -> tuple[dict[str, RunDetail], list[str]]:
    """Details by run id, and one line per failure to read one."""
    details: dict[str, RunDetail] = {}
    errors: list[str] = []
    if not runs:
        return details, errors
    deadline = time.monotonic() + budget
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="run-detail")
    pending: dict[Future[RunDetail], Run] = {pool.submit(client.run_detail, run.id): run for run in runs}
    try:
        while pending:
            done, _ = wait(pending, timeout=max(deadline - time.monotonic(), 0), return_when=FIRST_COMPLETED)
            if not done:
                errors.append(f"{len(pending)} run details were not read within {budget:g} s")
                break
            for future in done:
                run = pending.pop(future)
                try:
                    details[run.id] = future.result()
                except ApiError as exc:
                    errors.append(f"{run.name or run.id}: {exc}")
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return details, errors
