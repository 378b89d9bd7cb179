"""One report for several matrix jobs: a section per target (platform, app, browser, build,
batch), each built from that job's results file and drawn with the same pieces as a single
report. The size budget is shared: every run that did not pass, on any target, is shown before
any run that did."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..autosana.models import Run, RunGroup, is_problem
from ..verdict import Counts, Result
from . import base_compare
from . import markdown as md
from .merged_history import MergedState
from .render import (
    MIN_ROW_BYTES,
    RESULT_ICONS,
    Item,
    Layout,
    Report,
    fixed_lines,
    group_block,
    group_overhead,
    render,
    run_sort_key,
    title_lines,
)

DEFAULT_ENVIRONMENT = "backend.autosana.ai"
MAX_NOTES = 20
MISSING_NOTE = (
    "No results file from this target: its job failed or was cancelled before the action wrote "
    "autosana-results.json, or the file was not uploaded or downloaded. Open the workflow run to see why."
)


@dataclass
class Section:
    """One matrix job's part of the merged report; ``report`` is None when its file is missing."""

    name: str
    report: Report | None
    platform: str | None = None
    app: str | None = None
    environment: str | None = None
    browser: str | None = None
    build: str | None = None
    job: str | None = None
    attempt: str | None = None
    source: str | None = None

    @property
    def result(self) -> Result:
        return self.report.result if self.report is not None else Result.ERROR

    def title(self) -> str:
        if self.report is None:
            return f"### {RESULT_ICONS[Result.ERROR]} {md.text(self.name, 100)}: missing\n\n> {MISSING_NOTE}\n\n"
        report = self.report
        line = f"### {RESULT_ICONS[report.result]} {md.text(self.name, 100)}: {md.text(report.verdict_line, 300)}\n\n"
        facts = []
        if self.platform:
            facts.append(f"**Platform** {md.text(self.platform, 20)}")
        if report.app or self.app:
            facts.append(f"**App** {md.text(report.app or self.app, 120)}")
        if self.browser:
            facts.append(f"**Browser** {md.text(self.browser, 20)}")
        if report.build or self.build:
            facts.append(f"**Build** {md.code(report.build or self.build)}")
        if report.batch_id:
            facts.append(f"**Batch** {md.code(report.batch_id)}")
        if self.environment and self.environment != DEFAULT_ENVIRONMENT:
            facts.append(f"**Autosana** {md.text(self.environment, 100)}")
        if self.job:
            again = f" (attempt {md.text(self.attempt, 10)})" if self.attempt not in (None, "", "1") else ""
            facts.append(f"**Job** {md.text(self.job, 100)}{again}")
        if facts:
            line += " · ".join(facts) + "\n\n"
        for note in report.notes[:5]:
            line += f"> {md.text(note, 500)}\n\n"
        line += "".join(f"{part}\n" for part in base_compare.lines(report.base))
        if report.problems:
            line += "".join(f"- ⚠️ {md.text(p, 300)}\n" for p in report.problems[:10]) + "\n"
        return line


@dataclass
class MergedReport(Report):
    sections: list[Section] = field(default_factory=list)
    # The record for the next comparison, written into the sticky comment only.
    state: MergedState | None = None
    # The results could not be merged (bad files, none at all): an input problem, not a test result.
    refused: bool = False

    def groups(self) -> list[RunGroup]:
        """Every target's groups, those that need a look first (the check run links the first)."""
        return [group for section in self.sections if section.report for group in section.report.groups()]


def render_merged(report: Report, layout: Layout) -> str:
    """Any report; a merged one gets its sections."""
    if not isinstance(report, MergedReport):
        return render(report, layout)
    head = title_lines(report)
    fixed = [
        f"{md.text(run, 120)} ({md.text(section.name, 60)})"
        for section in report.sections
        if section.report is not None and section.report.comparison is not None
        for _, run in section.report.comparison.fixed
    ]
    head += fixed_lines(fixed)
    for note in report.notes[:MAX_NOTES]:
        head += [f"> {md.text(note, 1000)}", ""]
    if len(report.notes) > MAX_NOTES:
        head += [f"> … and {len(report.notes) - MAX_NOTES} more; see the job's log.", ""]
    marker = layout.marker + (report.state.encode() if layout.marker and report.state else "")
    text = marker + "\n".join(head) + "\n"
    reserve = 400  # the line that says what was left out
    room = layout.limit - len(text.encode()) - len(layout.footer.encode()) - reserve
    # Headings may take half the room at most: the failing runs need the rest.
    titles, unlisted = _titles(report.sections, room // 2 - TITLE_RESERVE)
    chosen, left_out, left_out_problems = _select(
        report.sections[: len(titles)], room - sum(len(t.encode()) for t in titles) - len(unlisted.encode()), layout
    )
    parts = [text]
    for si, section in enumerate(report.sections[: len(titles)]):
        parts.append(titles[si])
        if section.report is None:
            continue
        groups = section.report.groups()
        for gi, group in enumerate(groups):
            shown = chosen.get((si, gi))
            if shown:
                parts.append(_demoted(group_block(group, shown, hidden=len(group.runs) - len(shown))))
    parts.append(unlisted)
    if left_out:
        parts.append(
            f"**{left_out} runs are not listed here ({left_out_problems} of them did not pass) to stay within "
            "GitHub's size limit.** Open the run groups above on Autosana for all of them.\n\n"
        )
    parts.append(layout.footer)
    return "".join(parts)


# Rendering a row to learn it does not fit costs as much as rendering it: after this many misses
# in a row the report is as good as full, and the rest are only counted.
GIVE_UP_AFTER = 100
TITLE_RESERVE = 1000  # room for the line naming the targets cut


def _titles(sections: list[Section], room: int) -> tuple[list[str], str]:
    """Each target's heading while they fit (the ones that did not pass come first); the rest are
    named in one line."""
    titles: list[str] = []
    used = 0
    for section in sections:
        title = section.title()
        if used + len(title.encode()) > room:
            break
        titles.append(title)
        used += len(title.encode())
    rest = sections[len(titles) :]
    if not rest:
        return titles, ""
    tally = Counter(section.result.value for section in rest)
    results = ", ".join(f"{n} {result}" for result, n in tally.items())
    names = md.text(", ".join(s.name for s in rest), 600)
    line = f"**{len(rest)} more targets ({results}) are not shown to stay within GitHub's size limit:** {names}"
    return titles, line + "\n\n"


def _demoted(block: str) -> str:
    """A group's heading sits one level below its target's."""
    return "#" + block if block.startswith("### ") else block


def _select(sections: list[Section], budget: int, layout: Layout) -> tuple[dict[tuple[int, int], list[Item]], int, int]:
    """render.select_rows over every target at once: problems first, wherever they are."""
    entries: list[tuple[tuple[int, int, int], int, RunGroup, Run, Report]] = []
    for si, section in enumerate(sections):
        if section.report is None:
            continue
        index = {id(g): gi for gi, g in enumerate(section.report.groups())}
        nth: Counter[int] = Counter()
        for group, run in section.report.ordered_runs():
            rank = run_sort_key(run)
            nth[rank] += 1
            # Round robin over the targets within a status, so a cut leaves each some of its failures.
            entries.append(((rank, nth[rank], si), index[id(group)], group, run, section.report))
    entries.sort(key=lambda entry: entry[0])
    chosen: dict[tuple[int, int], list[Item]] = {}
    overheads: dict[tuple[int, int], int] = {}
    used = left_out = left_out_problems = misses = 0
    for (_, _, si), gi, group, run, report in entries:
        if budget - used < MIN_ROW_BYTES or misses >= GIVE_UP_AFTER:  # full: only count what is left
            left_out += 1
            left_out_problems += is_problem(run)
            continue
        item = report.item(group, run, layout.summary_chars)
        if (si, gi) not in chosen and (si, gi) not in overheads:
            overheads[si, gi] = group_overhead(group) + 1
        cost = item.size + (0 if (si, gi) in chosen else overheads[si, gi])
        if used + cost > budget:
            left_out += 1
            left_out_problems += is_problem(run)
            misses += 1
            continue
        misses = 0
        used += cost
        chosen.setdefault((si, gi), []).append(item)
    return chosen, left_out, left_out_problems


def merged_counts(sections: list[Section]) -> Counts:
    total: dict[str, int] = {}
    for section in sections:
        if section.report is not None and section.report.counts is not None:
            for status, n in section.report.counts.by_status.items():
                total[status] = total.get(status, 0) + n
    return Counts(total)
