"""Fail closed: one test per rule for counters that disagree, each alone on an otherwise green
batch, so removing any rule turns a test red."""

from __future__ import annotations

from typing import Any

from autosana_action.autosana.models import BatchStatus
from autosana_action.verdict import REPORTED_AS_FAILED, Result, judge


def batch(*statuses: str, group_status: str = "passed", **summary: int) -> BatchStatus:
    runs = [{"id": f"r{i}", "name": f"flow {i}", "status": s} for i, s in enumerate(statuses)]
    body: dict[str, Any] = {"is_complete": True, "run_groups": [{"name": "G", "status": group_status, "runs": runs}]}
    if summary:
        body["summary"] = summary
    return BatchStatus.model_validate(body)


def problems_of(status: BatchStatus, expected_runs: int | None = None) -> list[str]:
    verdict = judge(status, REPORTED_AS_FAILED, expected_runs)
    assert (verdict.result, verdict.green) == (Result.FAILED, False), verdict
    assert verdict.headline.endswith("but the batch's counters do not add up")
    return verdict.problems


def test_a_consistent_batch_is_green() -> None:
    status = batch("passed", "passed", total_flows=2, passed_flows=2, failed_flows=0)
    verdict = judge(status, REPORTED_AS_FAILED, 2)
    assert verdict.result is Result.PASSED and verdict.problems == []


def test_total_that_is_not_the_runs_listed() -> None:
    assert problems_of(batch("passed", "passed", total_flows=3)) == ["the summary counts 3 flows but 2 runs are listed"]


def test_per_status_counts_that_exceed_the_total() -> None:
    found = problems_of(batch("passed", "passed", total_flows=2, passed_flows=2, failed_flows=1))
    assert "the per-status counts add up to 3, more than the 2 total" in found


def test_a_per_status_count_that_is_not_the_runs_listed() -> None:
    assert problems_of(batch("passed", "passed", passed_flows=1)) == [
        "the summary counts 1 passed but 2 passed runs are listed"
    ]


def test_fewer_runs_than_the_trigger_announced() -> None:
    assert problems_of(batch("passed", "passed"), expected_runs=3) == [
        "the trigger announced 3 flows but only 2 are reported"
    ]


def test_a_failed_group_whose_runs_all_passed() -> None:
    assert problems_of(batch("passed", "passed", group_status="failed")) == [
        "group 'G' is marked failed although all its runs passed"
    ]
