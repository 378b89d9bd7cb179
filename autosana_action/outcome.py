"""One table from a Result to what the step shows: its exit status, the check run's conclusion
and the level of the log line that announces it. Everything that reports an outcome reads it
here, so the step, the check and the log never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .verdict import Result

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

# The API refusing the trigger for one of these means the inputs are wrong: exit as for bad inputs.
INPUT_REFUSALS = frozenset({400, 401, 403, 404, 422})

Conclusion = Literal["success", "failure", "neutral", "timed_out", "cancelled"]
Level = Literal["info", "warning", "error"]


@dataclass(frozen=True)
class StepOutcome:
    exit_code: int
    conclusion: Conclusion
    level: Level

    @property
    def fails_step(self) -> bool:
        return self.exit_code != EXIT_OK


_GREEN = StepOutcome(EXIT_OK, "success", "info")
_RED = StepOutcome(EXIT_FAILED, "failure", "error")
# fail-on: none lets results through, never a missing one: a timeout, a cancel or an API error
# still fails. Neutral counts as passing for a required check, so it is only for let-through
# results.
_LET_THROUGH = StepOutcome(EXIT_OK, "neutral", "warning")

# (result, fail-on lists statuses) -> outcome
TABLE: dict[tuple[Result, bool], StepOutcome] = {
    (Result.PASSED, True): _GREEN,
    (Result.PASSED, False): _GREEN,
    # wait: false tested nothing yet; no check run is created for it.
    (Result.TRIGGERED, True): StepOutcome(EXIT_OK, "neutral", "info"),
    (Result.TRIGGERED, False): StepOutcome(EXIT_OK, "neutral", "info"),
    # Autosana's no-op: nothing changed to run, so it started no batch (autosana-ci's green skip).
    (Result.SKIPPED, True): _GREEN,
    (Result.SKIPPED, False): _GREEN,
    # upload-only: the build is on Autosana and no flow was asked for.
    (Result.UPLOADED, True): StepOutcome(EXIT_OK, "neutral", "info"),
    (Result.UPLOADED, False): StepOutcome(EXIT_OK, "neutral", "info"),
    (Result.FAILED, True): _RED,
    (Result.FAILED, False): _LET_THROUGH,
    (Result.NO_FLOWS, True): _RED,
    (Result.NO_FLOWS, False): _LET_THROUGH,
    (Result.TIMED_OUT, True): StepOutcome(EXIT_FAILED, "timed_out", "error"),
    (Result.TIMED_OUT, False): StepOutcome(EXIT_FAILED, "timed_out", "error"),
    (Result.CANCELLED, True): StepOutcome(EXIT_FAILED, "cancelled", "error"),
    (Result.CANCELLED, False): StepOutcome(EXIT_FAILED, "cancelled", "error"),
    (Result.ERROR, True): _RED,
    (Result.ERROR, False): _RED,
}


def outcome_for(result: Result, fail_on_results: bool, *, refused_status: int | None = None) -> StepOutcome:
    """``refused_status`` is the HTTP status with which the API refused to start the flows, if it did."""
    outcome = TABLE[(result, fail_on_results)]
    if result is Result.ERROR and refused_status in INPUT_REFUSALS:
        return StepOutcome(EXIT_USAGE, outcome.conclusion, outcome.level)
    return outcome
