"""The publisher's promise to the orchestrator: ``finish_check(report)`` completes a check run it
started, whatever GitHub refused before, and may be called again from a catch-all (a completed
check is left alone). In process, over real HTTP to the fake GitHub."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from action_harness import FAKE_GITHUB_TOKEN
from conftest import API_KEY
from support.fake_github import FakeGitHub

from autosana_action.github.context import EventContext
from autosana_action.github.publisher import GitHubPublisher
from autosana_action.report.render import Report
from autosana_action.settings import parse_settings
from autosana_action.verdict import Result
from autosana_action.workflow import Workflow

REPO = "octo-org/octo-repo"
SHA = "c" * 40
COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as fake:
        fake.add_pull(REPO, 7, SHA)
        yield fake
        assert fake.violations == []


def publisher(github: FakeGitHub, log: io.StringIO) -> GitHubPublisher:
    settings = parse_settings(
        {"api-key": API_KEY, "bundle-id": "com.company.app", "platform": "ios", "suite-ids": "", "labels": "smoke"}
        | {"github-token": FAKE_GITHUB_TOKEN}
    )
    context = EventContext(event_name="pull_request", repository=REPO, pr_number=7, head_sha=SHA, api_url=github.url)
    return GitHubPublisher(settings, context, Workflow({"GITHUB_ACTIONS": "true"}, log))


@pytest.mark.parametrize("result", [Result.ERROR, Result.CANCELLED])
def test_a_catch_all_completes_the_started_check_once(github: FakeGitHub, result: Result) -> None:
    github.refuse("GET", COMMENTS, 403)
    log = io.StringIO()
    pub = publisher(github, log)
    pub.start_check("batch-1", None)
    assert pub.previous_state() is None  # refused: costs the comment only
    pub.finish_check(Report(result=result, headline="The action stopped unexpectedly"))
    pub.finish_check(Report(result=result, headline="called again"))
    (run,) = github.check_runs()
    expected = "failure" if result is Result.ERROR else "cancelled"
    assert (run["status"], run["conclusion"], run["output"]["title"]) == (
        "completed",
        expected,
        "The action stopped unexpectedly",
    )
    assert len([r for r in github.requests if r.method == "PATCH"]) == 1
    assert log.getvalue().count("::warning") == 1


def test_a_failed_completion_is_tried_again(github: FakeGitHub) -> None:
    pub = publisher(github, io.StringIO())
    pub.start_check("batch-1", None)
    github.fail_matching = [("PATCH", "/check-runs/" + str(github.check_runs()[0]["id"]), 502)] * 5
    pub.finish_check(Report(result=Result.PASSED, headline="2 passed"))
    assert github.check_runs()[0]["status"] == "in_progress"
    pub.finish_check(Report(result=Result.ERROR, headline="The action stopped unexpectedly"))
    assert [(r["status"], r["conclusion"]) for r in github.check_runs()] == [("completed", "failure")]
    assert len([r for r in github.requests if r.method == "PATCH"]) == 6  # retried, then asked again


def test_finishing_without_a_started_check_reports_in_one_go(github: FakeGitHub) -> None:
    pub = publisher(github, io.StringIO())
    pub.finish_check(Report(result=Result.ERROR, headline="The flows were not started", batch_id="b-2"))
    pub.finish_check(Report(result=Result.ERROR, headline="again"))
    assert [(r["status"], r["conclusion"], r["external_id"]) for r in github.check_runs()] == [
        ("completed", "failure", "b-2")
    ]
