"""Is this failure mine? The finished report beside the base branch's recent runs (read while the
flows ran), and this run's own digest for the pull requests that come after it."""

from __future__ import annotations

from ..job import Job
from ..report.base_report import add_base_comparison, store_digest
from ..report.render import Report


def beside_base(job: Job, report: Report) -> None:
    store_digest(report)
    if job.base is None:
        return
    said = add_base_comparison(report, job.base.history(), as_warnings=job.settings.base_failures_as_warnings)
    for line in said.notices:
        job.wf.notice(line)
    for line in said.warnings:
        job.wf.warning(line)
