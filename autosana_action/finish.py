"""The last stage: the verdict in the log, the outputs, the job summary and the files first (they
must survive GitHub being slow or refusing), then the check run and the sticky comment."""

from __future__ import annotations

from .crash import report_crash
from .job import Job
from .outcome import outcome_for
from .report.console import log_verdict
from .report.junit import write_junit
from .report.render import Report, render_job_summary
from .report.results_file import RESULTS_FILE, describe_job, write_results
from .verdict import Counts

COUNT_OUTPUTS = ("passed", "failed", "error", "terminated", "skipped")


def finish(job: Job, report: Report, *, publish: bool, refused_status: int | None = None) -> int:
    """Everything written for the report; the step's exit status."""
    settings, wf = job.settings, job.wf
    code = outcome_for(report.result, settings.fail_on_results, refused_status=refused_status).exit_code
    if job.watchdog is not None:  # from here on, the step's exit status is known
        job.watchdog.code = code
    log_verdict(wf, report, settings.fail_on_results)
    wf.set_outputs(outputs(job, report))
    if settings.job_summary:
        wf.write_summary(render_job_summary(report))
    if publish:
        job.publisher.finish_check(report)
        job.publisher.upsert_comment(report)
        links = {"comment-url": job.publisher.comment_url, "check-run-url": job.publisher.check_run_url}
        wf.set_outputs({name: url for name, url in links.items() if url})
    return code


def crashed(job: Job, report: Report, exc: Exception) -> int:
    """An unexpected error: the check run is completed all the same."""
    return report_crash(
        job.wf,
        job.publisher,
        report,
        exc,
        outputs=lambda: outputs(job, report),
        summary=job.settings.job_summary,
    )


def outputs(job: Job, report: Report) -> dict[str, str]:
    counts = report.counts or Counts({})
    values = {"result": report.result.value, "total-flows": str(counts.total)}
    values.update({f"{s}-flows": str(counts.get(s)) for s in COUNT_OUTPUTS})
    if report.batch_id:
        values["batch-id"] = report.batch_id
    if report.batch_url:
        values["batch-url"] = report.batch_url
    values.update(_write_files(job, report))
    return values


def _write_files(job: Job, report: Report) -> dict[str, str]:
    written: dict[str, str] = {}
    try:
        context = job.publisher.context
        target, facts = describe_job(job.settings, job.env, context.head_sha, context.workflow_run_url)
        write_results(report, job.workspace / RESULTS_FILE, target, facts, redactor=job.wf.redactor)
        written["results-json"] = RESULTS_FILE
        if job.settings.junit_path:
            write_junit(report, job.workspace / job.settings.junit_path, redactor=job.wf.redactor)
    except OSError as exc:
        job.wf.warning(f"Could not write the results files: {exc}")
    return written
