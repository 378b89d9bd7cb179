"""The live log: each run printed once, when it finishes, and a progress line only when
something changed."""

from __future__ import annotations

from ..autosana.models import FINAL_STATUSES, BatchStatus, Run, RunGroup, is_problem
from ..outcome import outcome_for
from ..verdict import Counts, Result
from ..workflow import Workflow, plain
from .render import Report, status_icon


class RunLog:
    def __init__(self, workflow: Workflow) -> None:
        self._wf = workflow
        self._printed: set[str] = set()
        self._last_progress: str | None = None

    def update(self, status: BatchStatus) -> None:
        fresh = [
            (g, r)
            for g, r in status.runs()
            if r.id not in self._printed and (r.status in FINAL_STATUSES or status.is_complete)
        ]
        if fresh:
            with self._wf.untrusted():
                for group, run in fresh:
                    self._printed.add(run.id)
                    self._wf.info(run_lines(group, run))
        counts = Counts.of(status)
        finished = sum(counts.get(s) for s in FINAL_STATUSES)
        progress = f"⏳ {finished}/{counts.total} flows finished ({counts.title()})"
        if progress != self._last_progress and not status.is_complete:
            self._last_progress = progress
            self._wf.info(progress)


def run_lines(group: RunGroup, run: Run, *, with_summary: bool | None = None) -> str:
    title = f"{status_icon(run.status)} {plain(run.status, 20):<10} {plain(group.name, 80)} › {plain(run.name, 160)}"
    lines = [title]
    if (with_summary if with_summary is not None else is_problem(run)) and run.summary:
        lines.append(f"      {plain(run.summary, 1000)}")
    if run.url:
        lines.append(f"      {plain(run.url, 300)}")
    return "\n".join(lines)


MAX_ANNOTATIONS = 10


def log_verdict(wf: Workflow, report: Report, fail_on_results: bool) -> None:
    """Every run folded in a group, annotations for what did not pass, then the verdict."""
    runs = report.status.runs() if report.status else []
    if runs:
        with wf.group(f"All {len(runs)} runs"), wf.untrusted():
            for group, run in runs:
                wf.info(run_lines(group, run, with_summary=True))
    failing = [(g, r) for g, r in runs if is_problem(r)]
    outcome = outcome_for(report.result, fail_on_results)
    if failing and report.result in (Result.FAILED, Result.TIMED_OUT, Result.CANCELLED):
        annotate = wf.error if outcome.level == "error" else wf.warning
        for group, run in failing[:MAX_ANNOTATIONS]:
            message = f"{plain(run.status, 20)}: {plain(run.summary, 500) or 'no summary'}"
            if run.url:
                message += f"\n{plain(run.url, 300)}"
            annotate(message, title=f"{plain(group.name, 80)} › {plain(run.name, 120)}")
        if len(failing) > MAX_ANNOTATIONS:
            wf.notice(f"{len(failing) - MAX_ANNOTATIONS} more runs did not pass; see the job summary.")
    for problem in report.problems:
        wf.warning(problem, title="Autosana counters disagree")
    headline = f"{report.check_name}: {report.headline}"
    if outcome.level == "info":
        wf.info(f"✅ {headline}")
    elif outcome.level == "warning":
        wf.warning(headline)
    else:
        wf.error(headline)
    for note in report.notes:
        wf.info(note)
