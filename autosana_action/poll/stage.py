"""The poll stage: wait for the batch, printing each run once as it finishes, handing finished
runs to the detail reader, and starting the check run on the first status."""

from __future__ import annotations

from collections.abc import Callable

from ..autosana.client import AutosanaClient
from ..autosana.models import BatchStatus
from ..job import Job
from ..report.console import RunLog
from .poller import PollResult, poll


def poll_stage(
    job: Job, client: AutosanaClient, batch_id: str, *, on_finished: Callable[[BatchStatus], None]
) -> PollResult:
    job.cancellation.install()
    job.publisher.resolve_pr()
    log = RunLog(job.wf)

    def on_status(status: BatchStatus) -> None:
        log.update(status)
        on_finished(status)
        # Created on the first status, so its link can go to the Autosana run group; the
        # previous comment is read while the flows run, not after.
        first_group = status.run_groups[0].url if status.run_groups else None
        job.publisher.start_check(batch_id, first_group)
        job.publisher.previous_state()
        if job.base and job.progress:  # the base's results are read once, here; progress as it changes
            job.base.history()
            job.progress.offer(status)

    return poll(
        client,
        batch_id,
        interval=job.settings.poll_interval,
        timeout=job.deadline.left(),  # what is left of the step's timeout-minutes
        cancellation=job.cancellation,
        workflow=job.wf,
        on_status=on_status,
    )
