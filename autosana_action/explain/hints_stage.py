"""The device's side of why runs failed, once their details are in: the logs of the first
``read-logs`` failing runs (in report order), read within the time the step has left."""

from __future__ import annotations

import time

from ..autosana.models import is_problem
from ..job import Job
from ..report.render import Report
from .hints import TIME_BUDGET, problem_details, read_hints


def read_device_hints(job: Job, report: Report) -> None:
    """Within hints.TIME_BUDGET seconds, or what the step's deadline leaves if that is less."""
    limit = job.settings.read_logs
    if not limit or report.status is None or job.deadline.expired:
        return
    failing = problem_details(report.details, (run.id for _, run in report.ordered_runs() if is_problem(run)))
    if not failing:
        return
    hints = read_hints(
        failing,
        app=job.settings.bundle_id,
        redactor=job.redactor,
        show_hosts=report.artifact_links,
        deadline=time.monotonic() + min(TIME_BUDGET, job.deadline.left()),
        max_runs=limit,
    )
    report.hints = hints.runs
    unread = [line for hint in hints.runs.values() for line in hint.unread]
    if unread:
        job.wf.info(
            f"{len(unread)} logs of failing runs could not be read (their hints are left out); first: {unread[0]}"
        )
    if hints.left_out:
        report.notes.append(
            f"Device and network logs were read for {limit} of the {limit + hints.left_out} runs that did not "
            f"pass (read-logs: {limit}); the rest are on Autosana."
        )
