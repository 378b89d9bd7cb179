"""Merge mode's inputs and results files: no API key needed, selection inputs refused, and a
results file read back tolerantly except for its schema version."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.batches import big_batch

from autosana_action.inputs import InvalidInputs
from autosana_action.report.render import Report
from autosana_action.report.results_file import JobFacts, TargetFacts, describe_job, results_document
from autosana_action.report.results_model import UnreadableResults, parse_results
from autosana_action.settings import parse_settings
from autosana_action.verdict import Counts, Result

SUITE = "550e8400-e29b-41d4-a716-446655440000"


def problems(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InvalidInputs) as caught:
        parse_settings(raw)
    return {p.input: p.message() for p in caught.value.problems}


def test_merge_needs_no_api_key_and_no_target() -> None:
    settings = parse_settings({"results": "results/**/autosana-results.json", "expected-targets": "android, ios"})
    assert settings.is_merge and settings.expected_targets == ["android", "ios"]
    assert not settings.allow_other_commits


def test_run_mode_still_needs_the_api_key_along_with_other_problems() -> None:
    found = problems({"bundle-id": "com.company.app", "platform": "android", "poll-interval": "x"})
    assert "is required but empty" in found["api-key"] and "not a number" in found["poll-interval"]
    found = problems({"bundle-id": "com.company.app", "platform": "android", "suite-ids": SUITE})
    assert list(found) == ["api-key"]


def test_selection_inputs_are_refused_in_merge_mode() -> None:
    found = problems({"results": "r/*.json", "app-id": "web-1", "suite-ids": SUITE, "target-name": "x"})
    assert set(found) == {"app-id", "suite-ids", "target-name"}
    assert "merging results starts no flows" in found["app-id"]


def test_merge_inputs_are_refused_without_results() -> None:
    raw = {"api-key": "k", "bundle-id": "b", "platform": "ios", "suite-ids": SUITE}
    found = problems({**raw, "expected-targets": "a, b", "allow-other-commits": "true"})
    assert set(found) == {"expected-targets", "allow-other-commits"}


@pytest.mark.parametrize(
    ("given", "why"),
    [
        ({"results": "/abs/*.json"}, "not a relative path"),
        ({"results": "../up/*.json"}, "not a relative path"),
        ({"results": "r/*.json", "expected-targets": "2, ios"}, "mixes a number"),
        ({"results": "r/*.json", "expected-targets": "0"}, "is 0"),
        ({"results": "r/*.json", "expected-targets": "ios, ios"}, "twice"),
    ],
)
def test_bad_merge_inputs(given: dict[str, str], why: str) -> None:
    found = problems(given)
    assert any(why in message for message in found.values()), found


def document() -> dict[str, Any]:
    status = big_batch(groups=1, runs_per_group=3, failing_every=2)
    report = Report(Result.FAILED, "1 passed, 2 failed", status=status, counts=Counts.of(status), batch_id="b-1")
    written = results_document(report, TargetFacts(name="android"), JobFacts(head_sha="a" * 40))
    data: dict[str, Any] = json.loads(json.dumps(written))
    return data


def test_results_file_round_trip_ignores_unknown_fields() -> None:
    data = document()
    data["added_later"] = {"anything": 1}
    data["target"]["gpu"] = "yes"
    data["run_groups"][0]["runs"][0]["new_field"] = True
    results = parse_results(data, "x.json")
    assert results.target.name == "android" and results.job.head_sha == "a" * 40
    report = results.report()
    assert report.result is Result.FAILED and report.counts is not None and report.counts.total == 3
    assert len(results.state or []) == 2


@pytest.mark.parametrize(("version", "said"), [(None, "has no schema_version"), (2, "has schema version 2")])
def test_results_file_of_another_schema_version_is_refused(version: int | None, said: str) -> None:
    data = document()
    data.pop("schema_version")
    if version is not None:
        data["schema_version"] = version
    with pytest.raises(UnreadableResults, match=said):
        parse_results(data, "x.json")


def test_default_target_name_says_platform_app_and_browser() -> None:
    settings = parse_settings({"api-key": "k", "app-id": "shop", "web-browser": "Microsoft Edge", "labels": "smoke"})
    target, job = describe_job(settings, {"GITHUB_JOB": "e2e", "GITHUB_RUN_ATTEMPT": "2"}, "b" * 40, None)
    assert (target.name, target.browser, target.environment) == ("web shop edge", "edge", "backend.autosana.ai")
    assert (job.name, job.run_attempt, job.head_sha) == ("e2e", "2", "b" * 40)
