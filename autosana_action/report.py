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


@dataclass(frozen=True)
class Layout:
    """Where the report goes: its size limit in bytes, how much of each summary fits, and the
    hidden marker and footer that frame it."""

    limit: int
    summary_chars: int
    marker: str = ""
    footer: str = ""


JOB_SUMMARY = Layout(limit=JOB_SUMMARY_LIMIT, summary_chars=1000)


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
            cost += group_overhead(group)
        if used + cost > budget:
            left_out += 1
            left_out_problems += is_problem(run)
            continue
        used += cost
        chosen.setdefault(gi, []).append((run, row))
    return chosen, left_out, left_out_problems


def group_overhead(group: RunGroup) -> int:
    """An upper bound of the bytes a group adds around its rows."""
    return len(group_block(group, [], hidden=10**9).encode()) + len(TABLE_HEAD)


def group_block(group: RunGroup, rows: list[tuple[Run, str]], hidden: int) -> str:
    """A group's runs: problems in an open table, the rest folded."""
    tally = Counts.of_runs(group.runs).title()
    problems = "".join(row for run, row in rows if is_problem(run))
    fine = "".join(row for run, row in rows if not is_problem(run))
    if problems or any(is_problem(r) for r in group.runs):
        title = md.link(md.text(group.name or "Run group", 200), group.url)
        out = f"### {status_icon(group.status)} {title} · {tally}\n\n{TABLE_HEAD}{problems}\n"
        if fine:
            count = fine.count("\n")
            out += f"<details><summary>{count} passed or skipped</summary>\n\n{TABLE_HEAD}{fine}\n</details>\n\n"
    else:
        name = md.html_text(group.name or "Run group", 200)
        out = f"<details><summary>{status_icon(group.status)} {name} · {tally}</summary>\n\n"
        if md.safe_url(group.url):
            out += f"{md.link('Open the group on Autosana', group.url)}\n\n"
        out += f"{TABLE_HEAD}{fine}\n</details>\n\n"
    if hidden:
        out += f"_{hidden} more runs of this group are not shown._\n\n"
    return out


def render(report: Report, layout: Layout = JOB_SUMMARY) -> str:
    head = [f"## {RESULT_ICONS[report.result]} {md.text(report.check_name, 100)}: {md.text(report.headline, 300)}", ""]
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
    text = layout.marker + "\n".join(head) + "\n"
    reserve = 400  # the line that says what was left out
    budget = layout.limit - len(text.encode()) - len(layout.footer.encode()) - reserve
    chosen, left_out, left_out_problems = select_rows(report, budget, layout.summary_chars)
    parts = [text]
    groups = report.groups()
    for gi in sorted(chosen):
        group = groups[gi]
        shown = chosen[gi]
        parts.append(group_block(group, shown, hidden=len(group.runs) - len(shown)))
    if left_out:
        parts.append(
            f"**{left_out} runs are not listed here ({left_out_problems} of them did not pass) to stay within "
            "GitHub's size limit.** Open the run groups above on Autosana for all of them.\n\n"
        )
    parts.append(layout.footer)
    return "".join(parts)


def render_job_summary(report: Report) -> str:
    return render(report, JOB_SUMMARY)
