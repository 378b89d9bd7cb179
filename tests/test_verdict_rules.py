"""The verdict follows Autosana's own rule, case by case, on the shapes of its own action's
fixtures (autosana-ci tests/fixtures/poll_*.json): the counters leave skipped runs out and fold
passing retries in, skips without a passing retry are setup failures, a group that errored after
all its flows passed failed in teardown."""

from __future__ import annotations

from typing import Any

import pytest

from autosana_action.autosana.models import BatchStatus
from autosana_action.report.inputs import DEFAULT_FAIL_ON
from autosana_action.verdict import Result, judge

DEFAULT = frozenset(DEFAULT_FAIL_ON.split(","))
OPT_OUT = frozenset({"failed", "error", "terminated"})


def batch(group_status: str, runs: list[tuple[str, str]], **summary: int) -> BatchStatus:
    data: dict[str, Any] = {
        "is_complete": True,
        "run_groups": [
            {
                "name": "Smoke Tests",
                "status": group_status,
                "runs": [
                    {"id": f"run-{i}", "name": name, "status": status, "url": f"https://app.autosana.ai/runs/run-{i}"}
                    for i, (name, status) in enumerate(runs, start=1)
                ],
            }
        ],
        "summary": {
            "total_groups": 1,
            "passed_groups": int(group_status == "passed"),
            "failed_groups": int(group_status != "passed"),
            "total_flows": 0,
            "passed_flows": 0,
            "failed_flows": 0,
            "error_flows": 0,
            "terminated_flows": 0,
            "skipped_flows": 0,
            **summary,
        },
    }
    return BatchStatus.model_validate(data)


# poll_setup_failure: runs skipped, group error, total_flows 0, skipped_flows 2.
SETUP_FAILURE = batch("error", [("Login Flow", "skipped"), ("Checkout Flow", "skipped")], skipped_flows=2)
# poll_teardown_failure: every run passed, group error.
TEARDOWN_FAILURE = batch("error", [("Login Flow", "passed"), ("Signup Flow", "passed")], total_flows=2, passed_flows=2)
# poll_passed_with_skipped: one passed, one skipped; total_flows 1 beside skipped_flows 1.
PASSED_WITH_SKIPPED = batch(
    "passed", [("Login Flow", "passed"), ("Checkout Flow", "skipped")], total_flows=1, passed_flows=1, skipped_flows=1
)
# poll_all_skipped: group skipped, total_flows 0.
ALL_SKIPPED = batch("skipped", [("Login Flow", "skipped"), ("Checkout Flow", "skipped")], skipped_flows=2)
# poll_mixed_results: one of each status; total_flows 4 leaves the skip out.
MIXED = batch(
    "failed",
    [
        ("Login Flow", "passed"),
        ("Checkout Flow", "failed"),
        ("Search Flow", "error"),
        ("Profile Flow", "terminated"),
        ("iOS-only Flow", "skipped"),
    ],
    total_flows=4,
    passed_flows=1,
    failed_flows=1,
    error_flows=1,
    terminated_flows=1,
    skipped_flows=1,
)
# A retried flow: its first attempt was skipped, the retry passed; the API counts the pass only.
RETRIED = batch(
    "passed",
    [("Login Flow", "skipped"), ("Login Flow", "passed"), ("Checkout Flow", "passed")],
    total_flows=2,
    passed_flows=2,
)


def test_setup_failure_fails_and_says_so() -> None:
    verdict = judge(SETUP_FAILURE, DEFAULT)
    assert verdict.result is Result.FAILED and verdict.problems == []
    assert "setup failed in group 'Smoke Tests': 2 flow(s) were skipped without a passing retry" in verdict.headline
    assert verdict.failures == ["setup failed in group 'Smoke Tests': 2 flow(s) were skipped without a passing retry"]


def test_setup_failure_can_be_allowed_by_leaving_skipped_out_of_fail_on() -> None:
    verdict = judge(SETUP_FAILURE, OPT_OUT)
    assert verdict.result is Result.PASSED and verdict.failures == []
    assert "All 2 flows were skipped" in verdict.headline


def test_teardown_failure_is_green_with_a_warning_naming_the_group() -> None:
    verdict = judge(TEARDOWN_FAILURE, DEFAULT)
    assert verdict.result is Result.PASSED and verdict.green
    assert verdict.headline == "2 passed; teardown failed in 'Smoke Tests'"
    assert len(verdict.warnings) == 1 and "'Smoke Tests'" in verdict.warnings[0] and "teardown" in verdict.warnings[0]
    assert verdict.problems == []


def test_a_skip_beside_passes_fails_by_default_and_is_no_inconsistency() -> None:
    verdict = judge(PASSED_WITH_SKIPPED, DEFAULT)
    assert verdict.result is Result.FAILED and verdict.problems == []
    assert verdict.headline.startswith("1 passed, 1 skipped; in group 'Smoke Tests': 1 flow(s) were skipped")
    assert judge(PASSED_WITH_SKIPPED, OPT_OUT).result is Result.PASSED


def test_all_skipped_fails_by_default() -> None:
    verdict = judge(ALL_SKIPPED, DEFAULT)
    assert verdict.result is Result.FAILED and verdict.problems == []
    assert "2 flow(s) were skipped without a passing retry" in verdict.headline


def test_mixed_results_fail_with_every_count() -> None:
    verdict = judge(MIXED, DEFAULT)
    assert verdict.result is Result.FAILED and verdict.problems == []
    assert verdict.headline.startswith("1 passed, 1 failed, 1 error, 1 terminated, 1 skipped")


def test_a_passing_retry_supersedes_the_skipped_attempt() -> None:
    verdict = judge(RETRIED, DEFAULT)
    assert verdict.result is Result.PASSED and verdict.problems == [] and verdict.failures == []
    assert verdict.counts.total == 2 and verdict.counts.retried == 1
    assert verdict.headline == "2 passed (1 after a retry)"


def test_the_skipped_attempt_counted_by_the_api_is_an_inconsistency() -> None:
    status = batch(
        "passed", [("Login Flow", "skipped"), ("Login Flow", "passed")], total_flows=1, passed_flows=1, skipped_flows=1
    )
    verdict = judge(status, DEFAULT)
    assert verdict.result is Result.FAILED
    assert verdict.problems == ["the summary counts 1 skipped but 0 skipped runs are listed"]


@pytest.mark.parametrize("fail_on", [DEFAULT, OPT_OUT])
def test_a_terminated_group_fails_even_when_its_runs_passed(fail_on: frozenset[str]) -> None:
    status = batch("terminated", [("Login Flow", "passed")], total_flows=1, passed_flows=1)
    verdict = judge(status, fail_on)
    assert verdict.result is Result.FAILED
    assert verdict.failures == ["group 'Smoke Tests' was terminated (the suite was cancelled)"]


def test_an_empty_group_that_did_not_pass_is_not_hidden_by_another_that_passed() -> None:
    data = TEARDOWN_FAILURE.model_dump()
    data["run_groups"][0]["status"] = "passed"
    data["run_groups"].append({"name": "Failed setup", "status": "error", "runs": []})
    verdict = judge(BatchStatus.model_validate(data), DEFAULT)
    assert verdict.result is Result.FAILED
    assert verdict.failures == ["group 'Failed setup' ended 'error' without running any flow (setup failed)"]


def test_zero_flows_unknown_statuses_and_bad_counters_still_fail() -> None:
    assert judge(batch("passed", []), DEFAULT).result is Result.NO_FLOWS
    assert judge(batch("passed", [("a", "weird")], total_flows=1), DEFAULT).result is Result.FAILED
    inflated = batch("passed", [("a", "passed")], total_flows=1, passed_flows=2)
    assert judge(inflated, DEFAULT).result is Result.FAILED
    assert "the per-status counts add up to 2, more than the 1 total" in judge(inflated, DEFAULT).problems


@pytest.mark.parametrize(
    ("answer", "batch_id", "noop", "errors"),
    [
        ('{"batch_id": "b1", "flow_run_count": 2}', "b1", False, []),
        ('{"skipped": true, "reason": "No changed flows", "batch_id": null, "flow_run_count": 0}', None, True, []),
        ('{"batch_id": null, "flow_run_count": 0}', None, False, []),
        ('{"batch_id": "", "skipped": null, "errors": null, "flow_group_run_ids": null}', None, False, []),
        (
            '{"batch_id": "b2", "errors": ["suite s1: no flows", {"flow_id": "f1", "error": "archived"}, {"x": 1}]}',
            "b2",
            False,
            ["suite s1: no flows", "f1: archived", '{"x": 1}'],
        ),
        (
            '{"batch_id": "b3", "errors": "one problem", "batch_url": "javascript:alert(1)"}',
            "b3",
            False,
            ["one problem"],
        ),
    ],
)
def test_trigger_answers_are_read_tolerantly(answer: str, batch_id: str | None, noop: bool, errors: list[str]) -> None:
    from autosana_action.autosana.models import TriggerResponse

    response = TriggerResponse.model_validate_json(answer)
    assert response.batch_id == batch_id and response.is_noop is noop
    assert [str(e) for e in response.errors] == errors
    assert response.batch_url is None


def test_a_total_that_counts_the_skips_is_read_too() -> None:
    status = batch("passed", [("a", "passed"), ("b", "skipped")], total_flows=2, passed_flows=1, skipped_flows=1)
    assert judge(status, OPT_OUT).problems == []
    wrong = batch("passed", [("a", "passed"), ("b", "skipped")], total_flows=3, passed_flows=1, skipped_flows=1)
    assert judge(wrong, OPT_OUT).problems == [
        "the summary counts 3 flows but 1 runs are listed (not counting 1 skipped)"
    ]
