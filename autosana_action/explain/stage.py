"""The explain stage: run details for the runs worth explaining, read on their own connection
while the flows still run, and what changed since the last report."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing, contextmanager

from ..autosana.models import is_problem
from ..job import Job
from ..report.history import Comparison
from ..report.render import Report
from .base import beside_base
from .details import DetailFetcher
from .hints_stage import read_device_hints


@contextmanager
def detail_reader(job: Job) -> Iterator[DetailFetcher]:
    """A fetcher with its own client, so detail reads never wait behind a status poll."""
    with job.client() as client, closing(DetailFetcher(client)) as fetcher:
        yield fetcher


def explain_stage(job: Job, fetcher: DetailFetcher, report: Report) -> None:
    assert report.status is not None
    fetcher.submit_finished(report.status)
    fetcher.collect()
    report.details = fetcher.details
    if fetcher.errors:
        job.wf.warning(f"{len(fetcher.errors)} run details could not be read; first: {fetcher.errors[0]}")
    if fetcher.left_out_problems:
        shown = sum(1 for _, run in report.status.runs() if is_problem(run) and run.id in report.details)
        more = fetcher.left_out_problems
        report.notes.append(f"Details are shown for {shown} runs that did not pass; {more} more are on Autosana.")
    read_device_hints(job, report)
    previous = job.publisher.previous_state()
    if previous is not None:
        report.comparison = Comparison.between(previous, report.status)
    beside_base(job, report)
