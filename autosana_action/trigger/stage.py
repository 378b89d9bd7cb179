"""The trigger stage: ask Autosana to run the flows, and read what its answer means (a batch to
wait for, its no-op, nothing started, tests it could not submit)."""

from __future__ import annotations

from ..autosana.client import AutosanaClient
from ..autosana.errors import ApiError
from ..autosana.models import TriggerResponse
from ..finish import finish
from ..job import Job
from ..report.render import Report, render_job_summary
from ..verdict import Result
from ..workflow import plain
from .body import CiRun, GitTarget, trigger_body

MAX_LISTED_ERRORS = 20


def trigger_stage(job: Job, client: AutosanaClient, target: GitTarget) -> tuple[Report, TriggerResponse] | int:
    """The report of the started batch, or the exit status when there is none."""
    new_build = job.built.app_build_id if job.built else None
    body = trigger_body(job.settings, job.variables, target, CiRun.from_env(job.env), new_build)
    try:
        trigger = client.trigger(body)
    except ApiError as exc:
        job.wf.error(str(exc), title="Autosana did not start the flows")
        if job.out_of_time:
            minutes = f"{job.settings.timeout_minutes:g} min"
            report = job.report(Result.TIMED_OUT, f"Timed out after {minutes} while starting the flows")
            report.notes.append("The flows may have started anyway; check the Autosana dashboard.")
            return finish(job, report, publish=True)
        report = job.report(Result.ERROR, "The flows were not started")
        report.notes.append(str(exc))
        return finish(job, report, publish=True, refused_status=exc.status)
    if trigger.batch_id is None:
        return _no_batch(job, trigger)
    report = job.report(Result.TRIGGERED, f"Started {_count(trigger)}; waiting for results")
    report.batch_id = trigger.batch_id
    report.batch_url = trigger.batch_url
    return report, trigger


def _count(trigger: TriggerResponse) -> str:
    return f"{trigger.flow_run_count} flows" if trigger.flow_run_count is not None else "flows"


def announce_batch(job: Job, report: Report, trigger: TriggerResponse) -> int | None:
    """The started batch in the outputs, the log and the job summary; the exit status when the
    step does not wait for it."""
    assert trigger.batch_id is not None
    count = _count(trigger)
    job.wf.set_outputs(
        {"batch-id": trigger.batch_id, **({"batch-url": trigger.batch_url} if trigger.batch_url else {})}
    )
    job.wf.info(f"Started {count} in batch {plain(trigger.batch_id, 80)}")
    _list_dispatch_errors(job, trigger, report)
    if job.settings.job_summary:
        job.wf.write_summary(render_job_summary(report))
    if not job.settings.wait:
        report.headline = f"Started {count}; not waiting for results (wait: false)"
        if trigger.errors:
            report.result = Result.ERROR
            report.headline = f"Started {count}, but {len(trigger.errors)} requested test submission(s) failed"
        code = finish(job, report, publish=bool(trigger.errors))
        if not trigger.errors:
            job.publisher.finish_check(report)  # a check the upload started must not stay in progress
        return code
    return None


def _list_dispatch_errors(job: Job, trigger: TriggerResponse, report: Report) -> None:
    """Tests Autosana could not submit: each is said in the log and the report."""
    if not trigger.errors:
        return
    for error in trigger.errors[:MAX_LISTED_ERRORS]:
        job.wf.error(plain(str(error), 500), title="Autosana could not submit a requested test")
    listed = "; ".join(str(e) for e in trigger.errors[:MAX_LISTED_ERRORS])
    more = len(trigger.errors) - MAX_LISTED_ERRORS
    report.notes.append(
        f"{len(trigger.errors)} requested test submission(s) failed: {listed}"
        + (f" and {more} more" if more > 0 else "")
    )


def _no_batch(job: Job, trigger: TriggerResponse) -> int:
    """Autosana answered without a batch: its no-op (nothing changed to run) is a green skip;
    anything else started nothing and fails."""
    if trigger.is_noop:
        reason = trigger.reason or "No changed flows to run."
        job.wf.info(f"✅ Skipped: {plain(reason, 300)}")
        report = job.report(Result.SKIPPED, f"Skipped: {reason}")
        report.batch_url = trigger.batch_url
        report.notes.append("Autosana found nothing to run, so it created no batch and there is nothing to wait for.")
        return finish(job, report, publish=True)
    runs = trigger.flow_run_count
    report = job.report(Result.ERROR, "Autosana started no batch")
    _list_dispatch_errors(job, trigger, report)
    if not trigger.errors:
        report.notes.append(
            f"The answer had no batch ID ({runs if runs is not None else 'no'} flows) and no skipped marker, so "
            "nothing is running; check the selectors, or whether the pull request has changed flows."
        )
    return finish(job, report, publish=True)
