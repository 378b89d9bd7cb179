"""The live log: each run printed once, when it finishes, and a progress line only when
something changed."""

from __future__ import annotations

from ..autosana.models import FINAL_STATUSES, BatchStatus, Run, RunGroup, is_problem
from ..verdict import Counts
from ..workflow import Workflow, plain
from .render import status_icon


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
