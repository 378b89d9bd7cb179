"""What a finished (or interrupted) action has to say, and its rendering as the job summary.

Rendering works to a size budget: every run that did not pass is shown before any run that
did, so when a huge batch must be cut, what is cut is the good news."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..autosana.models import (
    ERROR,
    FAILED,
    PASSED,
    SKIPPED,
    TERMINATED,
    BatchStatus,
    Run,
    RunDetail,
    RunGroup,
    is_problem,
    superseded_attempts,
)
from ..explain.hints import RunHints
from ..verdict import COUNTED_STATUSES, Counts, Result
from . import base_compare
from . import markdown as md
from .base_compare import BaseComparison
from .explanation import explain, ux_notes
from .history import Comparison, run_key

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
    Result.UPLOADED: "📦",
    Result.SKIPPED: "⏭️",
}
JOB_SUMMARY_LIMIT = 1024 * 1024


def status_icon(status: str) -> str:
    return STATUS_ICONS.get(status, "❔")


def run_sort_key(run: Run) -> int:
    """Failing runs first, then anything unusual, passed and skipped last."""
    return {FAILED: 0, ERROR: 1, TERMINATED: 2, SKIPPED: 4, PASSED: 5}.get(run.status, 3)


@dataclass
class Report:
    result: Result
    headline: str
    check_name: str = "Autosana"
    # Short forms of headlines (the verdict and its main number) for the heading and the check run
    # title; a headline set later (a crash, a timeout) has none and is shown whole.
    short_titles: dict[str, str] = field(default_factory=dict)
    batch_id: str | None = None
    batch_url: str | None = None
    status: BatchStatus | None = None
    counts: Counts | None = None
    app: str | None = None
    build: str | None = None
    build_file: str | None = None  # the uploaded file or registered URL the results belong to
    commit: str | None = None
    branch: str | None = None
    workflow_run_url: str | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    details: dict[str, RunDetail] = field(default_factory=dict)
    hints: dict[str, RunHints] = field(default_factory=dict)  # from the device, for the first failing runs
    comparison: Comparison | None = None
    base: BaseComparison | None = None  # beside the base branch's recent runs (base_compare)
    check_output: dict[str, str] = field(default_factory=dict)  # more of the check run's output: our digest
    # Signed storage URLs (screenshots, logs, performance data) in what we post; else the run page.
    artifact_links: bool = True
    # Skipped runs without a passing retry fail the verdict (skipped is in fail-on): never folded away.
    skips_fail: bool = True
    _items: dict[tuple[str, int], Item] = field(default_factory=dict, repr=False)

    def item(self, group: RunGroup, run: Run, summary_chars: int) -> Item:
        """A run's row and explanation, rendered once for every layout that shares its width."""
        key = (run.id, summary_chars)
        if key not in self._items:
            detail = self.details.get(run.id)
            hint = self.hints.get(run.id)
            extra = explain(run, detail, self.artifact_links, hint) if is_problem(run) else ux_notes(run, detail)
            red = is_problem(run) or self.failing_skip(group, run)
            self._items[key] = Item(run, run_row(self, group, run, summary_chars), extra, red)
        return self._items[key]

    @property
    def verdict_line(self) -> str:
        change = self.comparison.sentence() if self.comparison else ""
        return f"{self.title} · {change}" if change else self.title

    @property
    def title(self) -> str:
        return self.short_titles.get(self.headline, self.headline)

    def failing_skip(self, group: RunGroup, run: Run) -> bool:
        """A skipped run that counts against the verdict: no passing retry, and skipped in fail-on."""
        return self.skips_fail and run.status == SKIPPED and run.id not in superseded_attempts(group.runs)

    def groups(self) -> list[RunGroup]:
        """Run groups with problems first; stable otherwise."""
        if self.status is None:
            return []
        return sorted(
            self.status.run_groups,
            key=lambda g: not (needs_a_look(g) or any(self.failing_skip(g, r) for r in g.runs)),
        )

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
    if report.build_file:
        label = "Build URL" if report.build_file.startswith(("http://", "https://")) else "Build file"
        facts.append(f"**{label}** {md.text(report.build_file, 200)}")
    if report.commit:
        facts.append(f"**Commit** {md.code(report.commit[:12])}")
    if report.branch:
        facts.append(f"**Branch** {md.text(report.branch, 120)}")
    if report.batch_id:
        facts.append(f"**Batch** {md.code(report.batch_id)}")
    if md.safe_url(report.batch_url):
        facts.append(md.link("results on Autosana", report.batch_url))
    if report.workflow_run_url:
        facts.append(md.link("workflow run", report.workflow_run_url))
    return [" · ".join(facts)] if facts else []


def run_row(report: Report, group: RunGroup, run: Run, summary_chars: int) -> str:
    name = md.link(md.text(run.name or run.id, 200), run.url)
    status = f"{status_icon(run.status)} {md.text(run.status, 40)}"
    if report.base is not None and report.base.runs and is_problem(run):
        status += base_compare.row_mark(report.base, run_key(group.name, run.name))
    elif report.comparison is not None and is_problem(run):
        key = run_key(group.name, run.name)
        status += " 🆕 new" if key in report.comparison.new_failures else " 🔁 again"
    return f"| {status} | {name} | {md.text(run.summary, summary_chars)} |\n"


TABLE_HEAD = "| Status | Flow | Summary |\n|---|---|---|\n"


@dataclass(frozen=True)
class Item:
    run: Run
    row: str
    extra: str
    red: bool = False  # the run counts against the verdict: shown open, never folded

    @property
    def size(self) -> int:
        return len(self.row.encode()) + len(self.extra.encode())


@dataclass(frozen=True)
class Layout:
    """Where the report goes: its size limit in bytes, how much of each summary fits, and the
    hidden marker and footer that frame it."""

    limit: int
    summary_chars: int
    marker: str = ""
    footer: str = ""


JOB_SUMMARY = Layout(limit=JOB_SUMMARY_LIMIT, summary_chars=1000)


def select_rows(report: Report, budget: int, summary_chars: int) -> tuple[dict[int, list[Item]], int, int]:
    """Pick rows to show within ``budget`` bytes, problems first. Returns rows by group index
    (in display order), and how many runs and problem runs were left out."""
    groups = report.groups()
    index = {id(g): i for i, g in enumerate(groups)}
    overheads: dict[int, int] = {}
    chosen: dict[int, list[Item]] = {}
    used = 0
    left_out = left_out_problems = 0
    for group, run in report.ordered_runs():
        if budget - used < MIN_ROW_BYTES:  # full: only count what is left
            left_out += 1
            left_out_problems += is_problem(run)
            continue
        item = report.item(group, run, summary_chars)
        cost = item.size
        gi = index[id(group)]
        if gi not in chosen:
            if gi not in overheads:
                overheads[gi] = group_overhead(group)
            cost += overheads[gi]
        if used + cost > budget:
            left_out += 1
            left_out_problems += is_problem(run)
            continue
        used += cost
        chosen.setdefault(gi, []).append(item)
    return chosen, left_out, left_out_problems


MIN_ROW_BYTES = 40


def group_overhead(group: RunGroup) -> int:
    """An upper bound of the bytes a group adds around its rows."""
    return len(group_block(group, [], hidden=10**9).encode()) + len(TABLE_HEAD)


def needs_a_look(group: RunGroup) -> bool:
    """A group with a run that did not pass, or that did not pass itself (a setup failure that
    skipped its runs, a teardown failure after they passed, a cancelled suite)."""
    return group.status != PASSED or any(is_problem(r) for r in group.runs)


def group_block(group: RunGroup, items: list[Item], hidden: int) -> str:
    """A group's runs: those that count against the verdict in an open table with their
    explanations, the rest folded."""
    tally = Counts.of_runs(group.runs).title()
    problems = [i for i in items if i.red]
    fine = [i for i in items if not i.red]
    fine_table = TABLE_HEAD + "".join(i.row for i in fine) + "\n"
    ux = "".join(i.extra for i in fine)
    if ux:
        fine_table += f"Reported on runs that passed:\n\n{ux}\n"
    if problems or any(is_problem(r) for r in group.runs):
        title = md.link(md.text(group.name or "Run group", 200), group.url)
        if group.status != PASSED and not any(is_problem(r) for r in group.runs):
            tally += f" · group {md.text(group.status, 40)}"
        out = f"### {status_icon(group.status)} {title} · {tally}\n\n{TABLE_HEAD}{''.join(i.row for i in problems)}\n"
        explained = "".join(i.extra for i in problems)
        if explained:
            out += explained + "\n"
        if fine:
            what = "passed" if all(i.run.status == PASSED for i in fine) else "passed or skipped"
            out += f"<details><summary>{len(fine)} {what}</summary>\n\n{fine_table}</details>\n\n"
    elif needs_a_look(group):
        title = md.link(md.text(group.name or "Run group", 200), group.url)
        out = f"### {status_icon(group.status)} {title} · {tally} · group {md.text(group.status, 40)}\n\n{fine_table}"
    else:
        name = md.html_text(group.name or "Run group", 200)
        out = f"<details><summary>{status_icon(group.status)} {name} · {tally}</summary>\n\n"
        if md.safe_url(group.url):
            out += f"{md.link('Open the group on Autosana', group.url)}\n\n"
        out += f"{fine_table}</details>\n\n"
    if hidden:
        out += f"_{hidden} more runs of this group are not shown._\n\n"
    return out


def title_lines(report: Report) -> list[str]:
    """What every report starts with: the verdict heading, the facts line and the counts."""
    head = [
        f"## {RESULT_ICONS[report.result]} {md.text(report.check_name, 100)}: {md.text(report.verdict_line, 300)}",
        "",
    ]
    head += context_lines(report)
    head.append("")
    if report.counts is not None and report.counts.total:
        head.append(counts_table(report.counts))
    return head


def fixed_lines(names: list[str]) -> list[str]:
    """The flows fixed since the last report, already escaped; the first 20 by name."""
    if not names:
        return []
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return [f"**Fixed since the last report:** {', '.join(names[:20])}{more}", ""]


def render(report: Report, layout: Layout = JOB_SUMMARY) -> str:
    head = title_lines(report)
    if report.comparison:
        head += fixed_lines([md.text(run, 120) for _, run in report.comparison.fixed])
    head += base_compare.lines(report.base)
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
