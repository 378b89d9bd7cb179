"""From a batch's final status to a verdict. Fail closed: anything that is not clearly a pass
(terminated or errored flows, an empty batch, unknown statuses, counters that disagree) is not
green."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .autosana.models import ERROR, FAILED, FINAL_STATUSES, PASSED, SKIPPED, TERMINATED, BatchStatus, Run


class Result(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    NO_FLOWS = "no_flows"
    TRIGGERED = "triggered"
    ERROR = "error"
    UPLOADED = "uploaded"


COUNTED_STATUSES = (PASSED, FAILED, ERROR, TERMINATED, SKIPPED)


@dataclass(frozen=True)
class Counts:
    by_status: dict[str, int]

    @classmethod
    def of(cls, status: BatchStatus) -> Counts:
        return cls.of_runs(run for _, run in status.runs())

    @classmethod
    def of_runs(cls, runs: Iterable[Run]) -> Counts:
        return cls(dict(Counter(run.status for run in runs)))

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def get(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def other(self) -> int:
        """Runs whose status is not one we know as final."""
        return sum(n for s, n in self.by_status.items() if s not in FINAL_STATUSES)

    def title(self) -> str:
        parts = [f"{self.get(s)} {s}" for s in COUNTED_STATUSES if self.get(s)]
        if self.other:
            parts.append(f"{self.other} unfinished or unknown")
        return ", ".join(parts) if parts else "no flows"


@dataclass(frozen=True)
class Verdict:
    result: Result
    counts: Counts
    headline: str
    problems: list[str] = field(default_factory=list)

    @property
    def green(self) -> bool:
        return self.result in (Result.PASSED, Result.TRIGGERED)


REPORTED_AS_FAILED = frozenset({FAILED, ERROR, TERMINATED})


def judge(status: BatchStatus, fail_on: frozenset[str], expected_runs: int | None = None) -> Verdict:
    """The verdict for a complete batch. With ``fail_on`` empty (fail-on: none) the result still
    says what happened; whether it fails the step is decided elsewhere."""
    fail_on = fail_on or REPORTED_AS_FAILED
    counts = Counts.of(status)
    problems = _inconsistencies(status, counts, expected_runs)
    if counts.total == 0:
        return Verdict(Result.NO_FLOWS, counts, "No flows ran: the batch is empty", problems)

    failing = [s for s in COUNTED_STATUSES if s in fail_on and counts.get(s)]
    unknown = counts.other
    if failing or unknown or problems:
        headline = counts.title()
        if problems and not failing and not unknown:
            headline += ", but the batch's counters do not add up"
        return Verdict(Result.FAILED, counts, headline, problems)

    if counts.get(SKIPPED) == counts.total:
        return Verdict(
            Result.PASSED,
            counts,
            f"All {counts.total} flows were skipped: nothing failed, nothing was tested",
            problems,
        )
    return Verdict(Result.PASSED, counts, counts.title(), problems)


def _inconsistencies(status: BatchStatus, counts: Counts, expected_runs: int | None) -> list[str]:
    problems: list[str] = []
    summary = status.summary
    if summary is not None:
        claimed = {
            PASSED: summary.passed_flows,
            FAILED: summary.failed_flows,
            ERROR: summary.error_flows,
            TERMINATED: summary.terminated_flows,
            SKIPPED: summary.skipped_flows,
        }
        if summary.total_flows is not None and summary.total_flows != counts.total:
            problems.append(f"the summary counts {summary.total_flows} flows but {counts.total} runs are listed")
        listed_sum = sum(v for v in claimed.values() if v is not None)
        if summary.total_flows is not None and listed_sum > summary.total_flows:
            problems.append(f"the per-status counts add up to {listed_sum}, more than the {summary.total_flows} total")
        for name, claim in claimed.items():
            if claim is not None and claim != counts.get(name):
                problems.append(f"the summary counts {claim} {name} but {counts.get(name)} {name} runs are listed")
    if expected_runs is not None and counts.total < expected_runs:
        problems.append(f"the trigger announced {expected_runs} flows but only {counts.total} are reported")
    group_failed = [g.name for g in status.run_groups if g.status == FAILED and all(r.status == PASSED for r in g.runs)]
    if group_failed:
        problems.append(f"group {group_failed[0]!r} is marked failed although all its runs passed")
    return problems
