"""Progress while polling: the check run (and optionally the sticky comment) show finished/total
and the failures so far, only when something changed and at most once per interval; a refused
update never stops anything. In process with a fake clock, over real HTTP to the fake GitHub."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from action_harness import FAKE_GITHUB_TOKEN, ActionRunner
from conftest import API_KEY, base_inputs
from support.fake_github import FakeGitHub

from autosana_action.autosana.models import BatchStatus
from autosana_action.github.context import EventContext
from autosana_action.github.progress import Progress
from autosana_action.github.publisher import GitHubPublisher, comment_marker
from autosana_action.report.history import State
from autosana_action.report.render import Report
from autosana_action.settings import parse_settings
from autosana_action.verdict import Result
from autosana_action.workflow import Workflow
from autosana_sim import AutosanaSimulator, FlowPlan

REPO = "octo-org/octo-repo"
SHA = "c" * 40
CHECK_RUN = "/repos/{owner}/{repo}/check-runs/{check_run_id}"
COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
SLOW = "cccccccc-0000-4000-8000-000000000020"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as fake:
        fake.add_pull(REPO, 7, SHA)
        yield fake
        assert fake.violations == []


def publisher(github: FakeGitHub, log: io.StringIO, **inputs: str) -> GitHubPublisher:
    raw = {"api-key": API_KEY, "bundle-id": "com.company.app", "platform": "ios", "suite-ids": "", "labels": "smoke"}
    settings = parse_settings(
        raw | {"github-token": FAKE_GITHUB_TOKEN} | {k.replace("_", "-"): v for k, v in inputs.items()}
    )
    context = EventContext(event_name="pull_request", repository=REPO, pr_number=7, head_sha=SHA, api_url=github.url)
    return GitHubPublisher(settings, context, Workflow({"GITHUB_ACTIONS": "true"}, log))


def running(*statuses: str, name: str = "Flow") -> BatchStatus:
    runs = [
        {"id": f"r{i}", "name": f"{name} {i}", "status": s, "url": f"https://autosana.ai/runs/{i}"}
        for i, s in enumerate(statuses)
    ]
    return BatchStatus.model_validate(
        {"is_complete": False, "run_groups": [{"name": "Smoke", "status": "running", "runs": runs}]}
    )


def first_status(pub: GitHubPublisher, clock: Clock, *, comment: bool = False) -> Progress:
    """Progress as the poll stage drives it: the first status comes with the check run's creation."""
    progress = Progress(pub, comment=comment, clock=clock)
    progress.offer(running("queued"))
    return progress


def patches(github: FakeGitHub, template: str) -> int:
    return len([r for r in github.requests if r.method == "PATCH" and r.operation == template])


def test_updates_only_when_something_changed_and_at_most_every_interval(github: FakeGitHub) -> None:
    clock, log = Clock(), io.StringIO()
    pub = publisher(github, log)
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock)
    timeline = [
        (5, running("running", "queued")),  # changed, but too soon after the check was created
        (16, running("running", "queued")),  # due now: sent
        (20, running("failed", "running")),  # changed, too soon
        (31, running("failed", "running")),  # sent
        (50, running("failed", "running")),  # nothing new: not sent
        (200, running("failed", "running")),  # still nothing new
        (201, running("failed", "passed")),  # sent
    ]
    for at, status in timeline:
        clock.now = 1000 + at
        progress.offer(status)
    assert progress.writes == patches(github, CHECK_RUN) == 3
    (check,) = github.check_runs()
    assert check["status"] == "in_progress"
    assert check["output"]["title"] == "Running: 2 of 2 flows finished, 1 failed so far"
    summary = check["output"]["summary"]
    assert "**2 of 2 flows finished** · 3 min 21 s elapsed" in summary
    assert "❌ [Flow 0](https://autosana.ai/runs/0) (Smoke)" in summary


def test_a_minute_of_polling_every_second_sends_at_most_four_updates(github: FakeGitHub) -> None:
    clock = Clock()
    pub = publisher(github, io.StringIO())
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock)
    for second in range(60):
        clock.now = 1000 + second
        progress.offer(running(*(["passed"] * second + ["running"] * (60 - second))))  # a flow ends each second
    assert progress.writes == 3  # at 15, 30 and 45 s: never more than one per 15 s


def test_a_refused_update_stops_the_updates_not_the_run(github: FakeGitHub) -> None:
    clock, log = Clock(), io.StringIO()
    pub = publisher(github, log)
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock)
    github.fail_matching = [("PATCH", "/check-runs/" + str(github.check_runs()[0]["id"]), 403)]
    for at, status in ((16, running("running")), (40, running("failed"))):
        clock.now = 1000 + at
        progress.offer(status)  # never raises
    assert progress.writes == 1
    assert log.getvalue().count("Stopped showing progress in the check run") == 1
    pub.finish_check(Report(result=Result.FAILED, headline="1 failed"))
    assert [(r["status"], r["output"]["title"]) for r in github.check_runs()] == [("completed", "1 failed")]


def test_the_final_report_replaces_the_progress_and_no_update_follows_it(github: FakeGitHub) -> None:
    clock = Clock()
    pub = publisher(github, io.StringIO())
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock)
    clock.now += 20
    progress.offer(running("running"))
    pub.finish_check(Report(result=Result.PASSED, headline="1 passed"))
    clock.now += 20
    progress.offer(running("passed"))
    assert patches(github, CHECK_RUN) == 2
    assert github.check_runs()[0]["output"]["title"] == "1 passed"


def test_hostile_flow_names_stay_inert_in_progress(github: FakeGitHub) -> None:
    clock = Clock()
    pub = publisher(github, io.StringIO())
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock)
    clock.now += 20
    progress.offer(running("failed", name="<!-- x --> @octocat </details> |"))
    summary = github.check_runs()[0]["output"]["summary"]
    for forbidden in ("<!--", "@octocat", "</details>", " | "):
        assert forbidden not in summary


def test_the_comment_shows_progress_created_once_then_edited(github: FakeGitHub) -> None:
    clock = Clock()
    pub = publisher(github, io.StringIO(), progress_comment="true")
    pub.start_check("batch-1", None)
    progress = first_status(pub, clock, comment=True)
    for at, status in (
        (16, running("running", "queued")),
        (61, running("failed", "running")),
        (122, running("failed", "passed")),
    ):
        clock.now = 1000 + at
        progress.offer(status)
    (comment,) = github.comments(REPO, 7)
    assert comment["body"].startswith(comment_marker("Autosana"))
    assert "## ⏳ Autosana: Running: 2 of 2 flows finished, 1 failed so far" in comment["body"]
    creates = [r for r in github.requests if r.method == "POST" and r.operation == COMMENTS]
    assert len(creates) == 1 and patches(github, COMMENT) == 1  # one minute apart at most
    pub.upsert_comment(Report(result=Result.FAILED, headline="1 passed, 1 failed"))
    (final,) = github.comments(REPO, 7)
    assert final["id"] == comment["id"] and "⏳" not in final["body"]


def test_progress_keeps_the_record_of_the_last_report(github: FakeGitHub) -> None:
    record = State("a" * 40, frozenset({"0123456789"})).encode()
    github.add_comment(REPO, 7, comment_marker("Autosana") + record + "old report", "github-actions[bot]", "Bot")
    clock = Clock()
    pub = publisher(github, io.StringIO(), progress_comment="true")
    progress = first_status(pub, clock, comment=True)
    clock.now += 61
    progress.offer(running("failed"))
    (comment,) = github.comments(REPO, 7)
    assert "⏳" in comment["body"] and State.decode(comment["body"]) == State.decode(record)
    assert pub.previous_state() == State.decode(record)


def test_failures_mode_creates_no_comment_while_running(github: FakeGitHub) -> None:
    clock = Clock()
    pub = publisher(github, io.StringIO(), progress_comment="true", comment_mode="failures")
    progress = first_status(pub, clock, comment=True)
    clock.now += 61
    progress.offer(running("failed"))
    assert github.comments(REPO, 7) == []


def test_a_long_run_shows_its_progress_on_the_check_run(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    """End to end: a flow that fails early shows up on the check while another still runs."""
    sim.plan(
        SLOW,
        "Slow Suite",
        FlowPlan("Quick failure", "failed", 0.3, "No button."),
        FlowPlan("Long journey", "passed", 17, "Done."),
    )
    result = runner.run(base_inputs(sim, suite_ids=SLOW, poll_interval="1", progress_comment="true"), timeout=90)
    assert result.returncode == 1
    updates = [r.body["output"]["title"] for r in github.requests if r.method == "PATCH" and "output" in r.body]
    assert updates[-2] == "Running: 1 of 2 flows finished, 1 failed so far"  # the progress, then the report
    assert 2 <= len(updates) <= 3  # at most one per 15 s while it ran, then the final one
    assert len([r for r in github.requests if r.method == "POST" and r.operation == COMMENTS]) == 1
