"""What a finished (or interrupted) action has to say, and its rendering as the job summary.

Rendering works to a size budget: every run that did not pass is shown before any run that
did, so when a huge batch must be cut, what is cut is the good news."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from . import markdown as md
from .models import ERROR, FAILED, PASSED, SKIPPED, TERMINATED, BatchStatus, Run, RunGroup
from .verdict import COUNTED_STATUSES, Counts, Result

STATUS_ICONS = {
    PASSED: "✅",
    FAILED: "❌",
    ERROR: "💥",
    TERMINATED: "⛔",
    SKIPPED: "⏭️",
}
RESULT_ICONS = {
    Result.PASSED: "✅",
    Result.FAILED: "❌",
    Result.TIMED_OUT: "⏱️",
    Result.CANCELLED: "🚫",
    Result.NO_FLOWS: "⚠️",
    Result.TRIGGERED: "🚀",
    Result.ERROR: "💥",
}
JOB_SUMMARY_LIMIT = 1024 * 1024


def status_icon(status: str) -> str:
    return STATUS_ICONS.get(status, "❔")


def run_sort_key(run: Run) -> int:
    """Failing runs first, then anything unusual, passed and skipped last."""
    return {FAILED: 0, ERROR: 1, TERMINATED: 2, SKIPPED: 4, PASSED: 5}.get(run.status, 3)


def is_problem(run: Run) -> bool:
    return run.status not in (PASSED, SKIPPED)


@dataclass
class Report:
    result: Result
    headline: str
    check_name: str = "Autosana"
    batch_id: str | None = None
    status: BatchStatus | None = None
    counts: Counts | None = None
    app: str | None = None
    build: str | None = None
    commit: str | None = None
    branch: str | None = None
    workflow_run_url: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def groups(self) -> list[RunGroup]:
        """Run groups with problems first; stable otherwise."""
        if self.status is None:
            return []
        return sorted(self.status.run_groups, key=lambda g: not any(is_problem(r) for r in g.runs))

    def ordered_runs(self) -> Iterable[tuple[RunGroup, Run]]:
        pairs = [(g, r) for g in self.groups() for r in g.runs]
        return sorted(pairs, key=lambda pair: run_sort_key(pair[1]))


def counts_table(counts: Counts) -> str:
    columns = [s for s in COUNTED_STATUSES if counts.get(s)] or [PASSED]
    head = " | ".join(f"{status_icon(s)} {s}" for s in columns)
    cells = " | ".join(str(counts.get(s)) for s in columns)
    if counts.other:
        head += " | ❔ other"
        cells += f" | {counts.other}"
    return f"| {head} | total |\n|{'---|' * (len(columns) + 1 + bool(counts.other))}\n| {cells} | {counts.total} |\n"


def context_lines(report: Report) -> list[str]:
    facts = []
    if report.app:
        facts.append(f"**App** {md.text(report.app, 120)}")
    if report.build:
        facts.append(f"**Build** {md.code(report.build)}")
    if report.commit:
        facts.append(f"**Commit** {md.code(report.commit[:12])}")
    if report.branch:
        facts.append(f"**Branch** {md.text(report.branch, 120)}")
    if report.batch_id:
        facts.append(f"**Batch** {md.code(report.batch_id)}")
    if report.workflow_run_url:
        facts.append(md.link("workflow run", report.workflow_run_url))
    return [" · ".join(facts)] if facts else []


def run_row(run: Run, summary_chars: int) -> str:
    name = md.link(md.text(run.name or run.id, 200), run.url)
    return f"| {status_icon(run.status)} {md.text(run.status, 40)} | {name} | {md.text(run.summary, summary_chars)} |\n"


TABLE_HEAD = "| Status | Flow | Summary |\n|---|---|---|\n"


def select_rows(report: Report, budget: int, summary_chars: int) -> tuple[dict[int, list[tuple[Run, str]]], int, int]:
    """Pick rows to show within ``budget`` bytes, problems first. Returns rows by group index
    (in display order), and how many runs and problem runs were left out."""
    groups = report.groups()
    index = {id(g): i for i, g in enumerate(groups)}
    chosen: dict[int, list[tuple[Run, str]]] = {}
    used = 0
    left_out = left_out_problems = 0
    for group, run in report.ordered_runs():
        row = run_row(run, summary_chars)
        cost = len(row.encode())
        gi = index[id(group)]
        if gi not in chosen:
            cost += len(group_heading(group).encode()) + len(TABLE_HEAD) + 2
        if used + cost > budget:
            left_out += 1
            left_out_problems += is_problem(run)
            continue
        used += cost
        chosen.setdefault(gi, []).append((run, row))
    return chosen, left_out, left_out_problems


def group_heading(group: RunGroup) -> str:
    title = md.link(md.text(group.name or "Run group", 200), group.url)
    return f"### {status_icon(group.status)} {title}\n"


def render_job_summary(report: Report, limit: int = JOB_SUMMARY_LIMIT) -> str:
    head = [
        f"## {RESULT_ICONS[report.result]} {md.text(report.check_name, 100)}: {md.text(report.headline, 300)}",
        "",
    ]
    head += context_lines(report)
    head.append("")
    if report.counts is not None and report.counts.total:
        head.append(counts_table(report.counts))
    for note in report.notes:
        head += [f"> {md.text(note, 1000)}", ""]
    if report.problems:
        head.append("**The batch's own numbers disagree, so this result cannot be trusted as green:**\n")
        head += [f"- {md.text(p, 300)}" for p in report.problems[:20]]
        head.append("")
    text = "\n".join(head) + "\n"
    reserve = 400  # the line that says what was left out
    chosen, left_out, left_out_problems = select_rows(report, limit - len(text.encode()) - reserve, 1000)
    parts = [text]
    groups = report.groups()
    for gi in sorted(chosen):
        group = groups[gi]
        parts.append(group_heading(group))
        shown = chosen[gi]
        parts.append("\n" + TABLE_HEAD + "".join(row for _, row in shown))
        hidden = len(group.runs) - len(shown)
        if hidden:
            parts.append(f"\n_{hidden} more runs of this group are not shown._\n")
        parts.append("\n")
    if left_out:
        parts.append(
            f"**{left_out} runs are not listed here ({left_out_problems} of them did not pass) to stay within "
            "GitHub's size limit.** Open the run groups above on Autosana for all of them.\n"
        )
    return "".join(parts)
