"""From a batch's final status to a verdict. Fail closed: anything that is not clearly a pass
(terminated or errored flows, an empty batch, unknown statuses, counters that disagree) is not
green.

The rule follows Autosana's own action (autosana-ci, newest verdict), case by case:
- The API's counters leave skipped runs out of ``total_flows`` and fold a passing retry into
  ``passed_flows``: a retried flow can be listed as ``skipped`` and then ``passed`` in the same
  group. That skipped attempt is superseded: it is not counted, and it is no inconsistency.
- A skipped run without a passing retry is a setup failure (the suite's setup hooks did not let
  it start); ``skipped`` is in the default ``fail-on``, so it fails the step.
- A group whose own status is ``error`` while every run in it passed failed in teardown or
  clean-up: green, with a warning that names the group.
- A ``terminated`` group (the suite was cancelled), or a group that is not ``passed`` and has
  no runs (its setup failed before any flow started), fails.
- Zero flows, unknown statuses and counters that disagree fail."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from .autosana.models import (
    ERROR,
    FAILED,
    FINAL_STATUSES,
    PASSED,
    SKIPPED,
    TERMINATED,
    BatchStatus,
    Run,
    RunGroup,
    superseded_attempts,
)


class Result(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"
    NO_FLOWS = "no_flows"
    TRIGGERED = "triggered"
    ERROR = "error"
    UPLOADED = "uploaded"
    SKIPPED = "skipped"  # Autosana's no-op: nothing changed to run, no batch


COUNTED_STATUSES = (PASSED, FAILED, ERROR, TERMINATED, SKIPPED)


@dataclass(frozen=True)
class Counts:
    by_status: dict[str, int]
    retried: int = 0  # skipped attempts a passing retry superseded; not counted in by_status

    @classmethod
    def of(cls, status: BatchStatus) -> Counts:
        superseded = {run_id for group in status.run_groups for run_id in superseded_attempts(group.runs)}
        runs = [run for _, run in status.runs()]
        return cls(
            dict(Counter(run.status for run in runs if run.id not in superseded)),
            sum(run.id in superseded for run in runs),
        )

    @classmethod
    def of_runs(cls, runs: Iterable[Run]) -> Counts:
        listed = list(runs)
        superseded = superseded_attempts(listed)
        return cls(dict(Counter(run.status for run in listed if run.id not in superseded)), len(superseded))

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
        if self.retried and self.get(PASSED):
            parts[0] += f" ({self.retried} after a retry)"
        return ", ".join(parts) if parts else "no flows"


@dataclass(frozen=True)
class Verdict:
    result: Result
    counts: Counts
    headline: str
    problems: list[str] = field(default_factory=list)
    # Why the batch is not green beyond its run counts (setup failures, cancelled or empty groups).
    failures: list[str] = field(default_factory=list)
    # Worth a look, but not failing: a group that errored in teardown after all its flows passed.
    warnings: list[str] = field(default_factory=list)

    @property
    def green(self) -> bool:
        return self.result in (Result.PASSED, Result.TRIGGERED)


REPORTED_AS_FAILED = frozenset({FAILED, ERROR, TERMINATED, SKIPPED})


def judge(status: BatchStatus, fail_on: frozenset[str], expected_runs: int | None = None) -> Verdict:
    """The verdict for a complete batch. With ``fail_on`` empty (fail-on: none) the result still
    says what happened; whether it fails the step is decided elsewhere."""
    fail_on = fail_on or REPORTED_AS_FAILED
    counts = Counts.of(status)
    problems = _inconsistencies(status, counts, expected_runs)
    warnings = _teardown_warnings(status)
    failures = _group_failures(status)
    if SKIPPED in fail_on:
        failures = _setup_failures(status) + failures
    if counts.total == 0:
        return Verdict(Result.NO_FLOWS, counts, "No flows ran: the batch is empty", problems, failures, warnings)

    failing = [s for s in COUNTED_STATUSES if s in fail_on and counts.get(s)]
    unknown = counts.other
    if failing or unknown or problems or failures:
        headline = counts.title()
        if failures:
            headline += f"; {failures[0]}"
        elif problems and not failing and not unknown:
            headline += ", but the batch's counters do not add up"
        return Verdict(Result.FAILED, counts, headline, problems, failures, warnings)
    if warnings:
        groups = ", ".join(repr(g.name) for g in status.run_groups if _failed_in_teardown(g))
        headline = f"{counts.title()}; teardown failed in {groups}"
        return Verdict(Result.PASSED, counts, headline, problems, failures, warnings)

    if counts.get(SKIPPED) == counts.total:
        return Verdict(
            Result.PASSED,
            counts,
            f"All {counts.total} flows were skipped: nothing failed, nothing was tested",
            problems,
        )
    return Verdict(Result.PASSED, counts, counts.title(), problems)


def _setup_failures(status: BatchStatus) -> list[str]:
    found = []
    for group in status.run_groups:
        superseded = superseded_attempts(group.runs)
        skipped = sum(1 for r in group.runs if r.status == SKIPPED and r.id not in superseded)
        if skipped:
            where = f"setup failed in group {group.name!r}" if group.status != PASSED else f"in group {group.name!r}"
            found.append(f"{where}: {skipped} flow(s) were skipped without a passing retry")
    return found


def _group_failures(status: BatchStatus) -> list[str]:
    found = []
    for group in status.run_groups:
        if group.status == TERMINATED:
            found.append(f"group {group.name!r} was terminated (the suite was cancelled)")
        elif group.status != PASSED and not group.runs:
            found.append(f"group {group.name!r} ended {group.status!r} without running any flow (setup failed)")
    return found


def _failed_in_teardown(group: RunGroup) -> bool:
    superseded = superseded_attempts(group.runs)
    counted = [r for r in group.runs if r.id not in superseded]
    return group.status == ERROR and bool(counted) and all(r.status == PASSED for r in counted)


def _teardown_warnings(status: BatchStatus) -> list[str]:
    return [
        f"Group {group.name!r} reported an error after all its flows passed: its teardown or clean-up failed. "
        "The flows passed, so this does not fail the step; open the group on Autosana to see what went wrong."
        for group in status.run_groups
        if _failed_in_teardown(group)
    ]


def _inconsistencies(status: BatchStatus, counts: Counts, expected_runs: int | None) -> list[str]:
    problems: list[str] = []
    summary = status.summary
    if summary is not None:
        # The API's total leaves skipped runs out and folds passing retries into passed_flows.
        claimed = {
            PASSED: summary.passed_flows,
            FAILED: summary.failed_flows,
            ERROR: summary.error_flows,
            TERMINATED: summary.terminated_flows,
            SKIPPED: summary.skipped_flows,
        }
        ran = counts.total - counts.get(SKIPPED)
        # A total that still counts the skips (as older answers may) agrees with the runs too.
        if summary.total_flows is not None and summary.total_flows not in (ran, counts.total):
            listed = f"{ran} runs are listed"
            if counts.get(SKIPPED):
                listed += f" (not counting {counts.get(SKIPPED)} skipped)"
            problems.append(f"the summary counts {summary.total_flows} flows but {listed}")
        listed_sum = sum(v for k, v in claimed.items() if v is not None and k != SKIPPED)
        if summary.total_flows is not None and listed_sum > summary.total_flows:
            problems.append(f"the per-status counts add up to {listed_sum}, more than the {summary.total_flows} total")
        for name, claim in claimed.items():
            if claim is not None and claim != counts.get(name):
                problems.append(f"the summary counts {claim} {name} but {counts.get(name)} {name} runs are listed")
    if expected_runs is not None and counts.total < expected_runs:
        problems.append(f"the trigger announced {expected_runs} flows but only {counts.total} are reported")
    group_failed = [
        g.name for g in status.run_groups if g.status == FAILED and g.runs and all(r.status == PASSED for r in g.runs)
    ]
    if group_failed:
        problems.append(f"group {group_failed[0]!r} is marked failed although all its runs passed")
    return problems
