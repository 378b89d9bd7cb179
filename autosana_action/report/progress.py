"""How far a running batch is, for the check run (and optionally the sticky comment) while polling:
finished/total, the failures so far with their links, the time elapsed."""

from __future__ import annotations

from dataclasses import dataclass

from ..autosana.models import BatchStatus, is_problem
from . import markdown as md
from .render import status_icon

MAX_LISTED = 50


@dataclass(frozen=True)
class Snapshot:
    """What a progress update shows, apart from the clock: an update is due only when it changes."""

    finished: int
    total: int
    failures: tuple[tuple[str, str, str, str | None], ...]  # (group, flow, status, url)

    @classmethod
    def of(cls, status: BatchStatus) -> Snapshot:
        runs = status.runs()
        finished = [(g, r) for g, r in runs if r.is_final]
        failures = tuple((g.name, r.name or r.id, r.status, r.url) for g, r in finished if is_problem(r))
        total = len(runs)
        if status.summary is not None and status.summary.total_flows:
            total = max(total, status.summary.total_flows)
        return cls(len(finished), total, failures)

    def title(self) -> str:
        failed = f", {len(self.failures)} failed so far" if self.failures else ""
        return f"Running: {self.finished} of {self.total} flows finished{failed}"

    def summary(self, elapsed_seconds: float) -> str:
        minutes, seconds = divmod(int(elapsed_seconds), 60)
        elapsed = f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"
        lines = [f"**{self.finished} of {self.total} flows finished** · {elapsed} elapsed", ""]
        if self.failures:
            lines += [f"Failures so far ({len(self.failures)}):", ""]
            for group, flow, status, url in self.failures[:MAX_LISTED]:
                lines.append(f"- {status_icon(status)} {md.link(md.text(flow, 200), url)} ({md.text(group, 100)})")
            if len(self.failures) > MAX_LISTED:
                lines.append(f"- … and {len(self.failures) - MAX_LISTED} more")
            lines.append("")
        lines.append("_Updated while the flows run; the full report replaces this when they finish._")
        return "\n".join(lines) + "\n"

    def comment(self, check_name: str, elapsed_seconds: float) -> str:
        return f"## ⏳ {md.text(check_name, 100)}: {self.title()}\n\n{self.summary(elapsed_seconds)}"
