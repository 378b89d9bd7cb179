""" "Is this failure mine?": this run's flows beside the base branch's recent runs.

The base's results come from the digests our own check runs left on its last commits (see
``digest``). A failing flow is *new in this PR* when it passed on every recent base run that ran
it (or never ran there), *also failing on the base* when it failed on the latest base run that ran
it (k of the last n, linked to the latest such commit's check), and *flaky* when the base saw mixed
outcomes or passed it only after a retry. A flow that fails on the latest base run and passes
here is *fixed by this PR*. None of this changes the verdict unless a team asks for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..autosana.models import FAILED, BatchStatus, is_problem
from . import markdown as md
from .digest import Digest, Outcome, flow_outcomes
from .history import run_key

HINT = (
    "No results from {base}'s recent commits to compare with: run this workflow on pushes to {base} "
    "too, and each pull request's report says which failures are new."
)


@dataclass(frozen=True)
class BaseRun:
    """Our check run on one commit of the base branch, newest first in a history."""

    sha: str
    url: str | None
    digest: Digest


@dataclass
class BaseHistory:
    """What the base branch's last commits say; ``runs`` only those with a digest we believe."""

    branch: str
    commits: int
    runs: list[BaseRun] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    reads: int = 0  # GitHub requests it took


class Kind(StrEnum):
    NEW = "new"
    ALSO_FAILING = "also failing"
    FLAKY = "flaky"


@dataclass(frozen=True)
class Mark:
    kind: Kind
    failed: int = 0  # k: base runs it failed in
    seen: int = 0  # n: base runs that ran it
    url: str | None = None  # the latest failing base commit's check run


@dataclass
class BaseComparison:
    branch: str
    runs: int  # base runs with a digest that were compared
    flows: int = 0  # flows in this run
    marks: dict[str, Mark] = field(default_factory=dict)  # failing flow key -> mark
    fixed: list[str] = field(default_factory=list)  # flow names failing on the base, passing here
    retried: list[str] = field(default_factory=list)  # flow names that passed here only after a retry
    notes: list[str] = field(default_factory=list)
    as_warnings: list[str] = field(default_factory=list)  # failures turned into warnings (opt-in)

    def count(self, kind: Kind) -> int:
        return sum(1 for mark in self.marks.values() if mark.kind is kind)


def compare(history: BaseHistory, status: BatchStatus, target: str = "") -> BaseComparison:
    result = BaseComparison(history.branch, 0, notes=list(history.notices))
    runs = [(run, run.digest.targets[target]) for run in history.runs if target in run.digest.targets]
    result.runs = len(runs)
    if not runs:
        if not history.notices:
            result.notes.append(HINT.format(base=history.branch))
        return result
    here = flow_outcomes(status)
    result.flows = len(here)
    names = {run_key(g.name, r.name): r.name or r.id for g, r in status.runs()}
    for group, run in status.runs():
        key = run_key(group.name, run.name)
        if is_problem(run) and key not in result.marks and not here[key].passed:
            result.marks[key] = _mark([(base, flows[key]) for base, flows in runs if key in flows])
    for key, outcome in here.items():
        seen = [flows[key] for _, flows in runs if key in flows]
        if outcome.passed and seen and seen[0].failed:
            result.fixed.append(names[key])
        if outcome is Outcome.RETRIED:
            result.retried.append(names[key])
    return result


def _mark(seen: list[tuple[BaseRun, Outcome]]) -> Mark:
    failing = [base for base, outcome in seen if outcome.failed]
    if seen and seen[0][1].failed:
        return Mark(Kind.ALSO_FAILING, len(failing), len(seen), failing[0].url)
    if failing or any(outcome is Outcome.RETRIED for _, outcome in seen):
        return Mark(Kind.FLAKY, len(failing), len(seen), failing[0].url if failing else None)
    return Mark(Kind.NEW, 0, len(seen))


def treat_base_failures_as_warnings(comparison: BaseComparison, status: BatchStatus) -> bool:
    """Whether every run that did not pass is a plain failure also failing on the base, so that a
    team that asked for it may see the check pass with warnings. Anything else (an error, a
    terminated or skipped run, a group that did not end passed or failed) keeps it failing."""
    problems = [(g, r) for g, r in status.runs() if is_problem(r)]
    if not problems or comparison.runs == 0:
        return False
    for group, run in problems:
        mark = comparison.marks.get(run_key(group.name, run.name))
        if run.status != FAILED or mark is None or mark.kind is not Kind.ALSO_FAILING:
            return False
    if any(group.status not in ("passed", FAILED) for group in status.run_groups):
        return False
    comparison.as_warnings = sorted({r.name or r.id for _, r in problems})
    return True


# -- rendering ----------------------------------------------------------------------------------
def row_mark(comparison: BaseComparison, key: str) -> str:
    """What a failing flow's status cell says about the base."""
    mark = comparison.marks.get(key)
    base = md.text(comparison.branch, 60)
    if mark is None:
        return ""
    if mark.kind is Kind.NEW:
        return " · 🆕 new in this PR"
    counted = f"{mark.failed} of {mark.seen}"
    if mark.url and md.safe_url(mark.url):
        counted += f", {md.link('latest', mark.url)}"
    if mark.kind is Kind.ALSO_FAILING:
        return f" · 🔁 also failing on {base} ({counted})"
    return f" · 🎲 flaky on {base} ({counted})"


def headline(comparison: BaseComparison) -> str:
    """E.g. "2 failures: 1 new in this PR, 1 also failing on main"."""
    base = md.text(comparison.branch, 60)
    failures = len(comparison.marks)
    compared = f"compared with the last {comparison.runs} run{'s' * (comparison.runs != 1)} on {base}"
    if not failures:
        return f"**No failures** ({compared})"
    parts = []
    for kind, words in ((Kind.NEW, "new in this PR"), (Kind.ALSO_FAILING, f"also failing on {base}")):
        if comparison.count(kind):
            parts.append(f"{comparison.count(kind)} {words}")
    if comparison.count(Kind.FLAKY):
        parts.append(f"{comparison.count(Kind.FLAKY)} flaky")
    return f"**{failures} failure{'s' * (failures != 1)}: {', '.join(parts)}** ({compared})"


def lines(comparison: BaseComparison | None) -> list[str]:
    """The report's lines about the base, already escaped; nothing when it was not compared."""
    if comparison is None:
        return []
    out = [f"> {md.text(note, 600)}" for note in comparison.notes]
    if comparison.runs and comparison.flows:  # an empty batch has nothing to compare
        out.append(headline(comparison))
    base = md.text(comparison.branch, 60)
    for label, names in (
        (f"Fixed by this PR (failing on {base})", comparison.fixed),
        ("Flaky here (passed only after a retry)", comparison.retried),
    ):
        if names:
            more = f" and {len(names) - 20} more" if len(names) > 20 else ""
            out.append(f"**{label}:** {', '.join(md.text(n, 120) for n in names[:20])}{more}")
    if comparison.as_warnings:
        n = len(comparison.as_warnings)
        out.append(
            f"**{n} failure{'s' * (n != 1)} also failing on {base} treated as warning{'s' * (n != 1)}** "
            "(base-failures-as-warnings: true), so they do not fail this check."
        )
    return [line for part in out for line in (part, "")]
