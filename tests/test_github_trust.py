"""What GitHub must be able to trust: a check run we start is always completed, whatever else
GitHub refuses; the sticky comment is only ever ours. End to end, entrypoint.py against the
simulator and a fake GitHub that refuses single operations the way GitHub does."""

from __future__ import annotations

import math
import signal
import time
from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionResult, ActionRunner
from conftest import CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_action.github.publisher import comment_marker
from autosana_action.report.history import State, run_key
from autosana_sim import AutosanaSimulator, FlowPlan

COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
COMMENT = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"
COMMIT_PULLS = "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"
SLOW = "bbbbbbbb-0000-4000-8000-00000000000a"
PAT = "ghp_personal0123456789abcdefghijklmnopqrst"


def pr_number(event: dict[str, Any]) -> int:
    return int(event["pull_request"]["number"])


def repo_of(event: dict[str, Any]) -> str:
    return str(event["repository"]["full_name"])


def checks(github: FakeGitHub) -> list[tuple[str, str | None]]:
    return [(r["status"], r["conclusion"]) for r in github.check_runs()]


def refusals(result: ActionResult) -> list[str]:
    return [w for w in result.commands("warning") if "GitHub refused" in w or "Could not" in w]


# -- a started check run is always completed ---------------------------------------------------------


def test_token_with_checks_write_only_still_completes_the_check(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    """The outside review's stuck check: listing the PR comments is refused (a private repo, a
    job with `permissions: checks: write` only)."""
    github.refuse("GET", COMMENTS, 403)
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0
    assert checks(github) == [("completed", "success")]
    assert result.outputs["check-run-url"] == github.check_runs()[0]["html_url"]
    (warning,) = refusals(result)
    assert "read the PR comments" in warning and "No PR comment" in warning
    assert "`issues: read` or `pull-requests: read`" in warning  # what GitHub says is missing
    assert "checks" not in warning  # never asks for what the token has
    assert github.comments(repo_of(pr_event), pr_number(pr_event)) == []
    assert not [r for r in github.writes() if "/comments" in r.path]


def test_a_pr_number_that_does_not_exist_costs_only_the_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("GET", COMMENTS, 404, issue_number="4242")
    result = runner.run(base_inputs(sim, pr_number="4242"))
    assert result.returncode == 0 and checks(github) == [("completed", "success")]
    (warning,) = refusals(result)
    assert "404" in warning and "#4242" in warning and "`pr-number`" in warning
    assert "permission" not in warning.lower() and "grant" not in warning.lower()
    assert "comment-url" not in result.outputs


def test_a_refused_comment_write_does_not_stop_the_check(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("POST", COMMENTS, 403)
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1 and checks(github) == [("completed", "failure")]
    (warning,) = refusals(result)
    assert "write the PR comment" in warning and "`issues: write` or `pull-requests: write`" in warning


def test_a_refused_check_run_does_not_stop_the_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    github.refuse("POST", CHECK_RUNS, 403)
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0 and github.check_runs() == []
    (warning,) = refusals(result)
    assert "create the check run" in warning and "`checks: write`" in warning and "pull-requests" not in warning
    (comment,) = github.comments(repo_of(pr_event), pr_number(pr_event))
    assert result.outputs["comment-url"] == comment["html_url"]
    assert len([r for r in github.requests if r.method == "POST" and r.path.endswith("/check-runs")]) == 1


def test_a_refused_pr_lookup_on_push_still_completes_the_check(
    sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub
) -> None:
    event = webhook_example("push", predicate=lambda p: p["ref"].startswith("refs/heads/"))
    github.refuse("GET", COMMIT_PULLS, 403)
    result = ActionRunner(tmp_path, "push", event, github_api_url=github.url).run(base_inputs(sim))
    assert result.returncode == 0 and checks(github) == [("completed", "success")]
    (warning,) = refusals(result)
    assert "look up the pull request" in warning and "`pull-requests: read`" in warning


def test_bad_credentials_are_said_once(sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub) -> None:
    result = runner.run(base_inputs(sim, github_token="ghs_revoked000000000000000000000000000000"))
    assert result.returncode == 0 and result.outputs["result"] == "passed"
    (warning,) = refusals(result)
    assert "401" in warning and "`github-token`" in warning
    assert len(github.requests) == 1  # nothing more is attempted with a token GitHub does not know


def test_the_permissions_link_follows_the_actions_own_repository(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("POST", CHECK_RUNS, 403)
    runner.extra_env.update(GITHUB_ACTION_REPOSITORY="someone/autosana-action-fork", GITHUB_ACTION_REF="v1.2.3")
    (warning,) = refusals(runner.run(base_inputs(sim)))
    assert "https://github.com/someone/autosana-action-fork/blob/v1.2.3/README.md#permissions" in warning
    runner.extra_env.clear()
    (warning,) = refusals(runner.run(base_inputs(sim)))
    assert 'the "Permissions" section of the autosana-action README' in warning
    assert "github.com/autosana" not in warning


def test_check_is_completed_on_timeout_with_comment_reads_refused(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("GET", COMMENTS, 403)
    sim.plan(SLOW, "Slow", FlowPlan("never ends", "passed", math.inf), FlowPlan("quick", "passed", 0.05, "ok"))
    result = runner.run(base_inputs(sim, suite_ids=SLOW, timeout_minutes="0.01"))
    assert result.outputs["result"] == "timed_out"
    assert checks(github) == [("completed", "timed_out")]


@pytest.mark.parametrize("refuse_comments", [False, True], ids=["all-allowed", "comment-reads-refused"])
def test_check_is_completed_on_sigterm(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, refuse_comments: bool
) -> None:
    if refuse_comments:
        github.refuse("GET", COMMENTS, 403)
    sim.plan(SLOW, "Slow", FlowPlan("never ends", "passed", math.inf), FlowPlan("quick", "passed", 0.05, "ok"))
    proc = runner.start(base_inputs(sim, suite_ids=SLOW))
    runner.wait_for_output("batch-id", proc)
    while not github.check_runs():  # the check is created with the first status
        assert proc.poll() is None
        time.sleep(0.02)
    runner.interrupt(proc, signal.SIGTERM)
    result = runner.finish(proc, timeout=20)
    assert result.outputs["result"] == "cancelled"
    assert checks(github) == [("completed", "cancelled")]


# -- the sticky comment is ours ----------------------------------------------------------------------

FORGED = State(
    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef", frozenset({run_key("Login Suite", "Login with wrong password")})
)


def test_a_marker_comment_by_someone_else_is_neither_edited_nor_believed(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_number(pr_event)
    forged_body = comment_marker("Autosana") + FORGED.encode() + "I am the report now"
    mallory = github.add_comment(repo, number, forged_body, "mallory")
    ours = github.add_comment(repo, number, comment_marker("Autosana") + "old report", "github-actions[bot]", "Bot")
    result = runner.run(base_inputs(sim))
    by_id = {c["id"]: c for c in github.comments(repo, number)}
    assert by_id[mallory]["body"] == forged_body
    assert "old report" not in by_id[ours]["body"] and "## ✅ Autosana: 2 passed" in by_id[ours]["body"]
    assert "fixed" not in by_id[ours]["body"] and "deadbee" not in by_id[ours]["body"]
    assert result.outputs["comment-url"] == by_id[ours]["html_url"]
    assert not [r for r in github.requests if r.path == "/user"]  # GITHUB_TOKEN: known without asking


def test_only_someone_elses_marker_comment_means_a_comment_of_our_own(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_number(pr_event)
    forged_body = comment_marker("Autosana") + FORGED.encode()
    github.add_comment(repo, number, forged_body, "mallory")
    runner.run(base_inputs(sim))
    runner.run(base_inputs(sim))
    mallorys, ours = github.comments(repo, number)
    assert mallorys["body"] == forged_body
    assert ours["user"]["login"] == "github-actions[bot]" and "fixed" not in ours["body"]


def test_a_personal_token_adopts_only_its_users_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_number(pr_event)
    github.token, github.token_user = PAT, "octo-dev"
    marker = comment_marker("Autosana")
    bots = github.add_comment(repo, number, marker + FORGED.encode(), "github-actions[bot]", "Bot")
    mallory = github.add_comment(repo, number, marker + FORGED.encode(), "mallory")
    ours = github.add_comment(repo, number, marker + "old report", "octo-dev")
    result = runner.run(base_inputs(sim, github_token=PAT))
    by_id = {c["id"]: c for c in github.comments(repo, number)}
    assert by_id[bots]["body"] == by_id[mallory]["body"] == marker + FORGED.encode()
    assert "## ✅ Autosana: 2 passed" in by_id[ours]["body"] and "fixed" not in by_id[ours]["body"]
    assert result.outputs["comment-url"] == by_id[ours]["html_url"]
    assert len([r for r in github.requests if r.path == "/user"]) == 1


def test_an_installation_token_of_another_format_is_the_actions_app(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    """Installation tokens older than the ghs_ prefix: GET /user refuses them, as GitHub does."""
    repo, number = repo_of(pr_event), pr_number(pr_event)
    github.token = "v1.0123456789abcdef0123456789abcdef01234567"
    ours = github.add_comment(repo, number, comment_marker("Autosana") + "old report", "github-actions[bot]", "Bot")
    result = runner.run(base_inputs(sim, github_token=github.token))
    (comment,) = github.comments(repo, number)
    assert comment["id"] == ours and "old report" not in comment["body"]
    assert not refusals(result)
    assert [r.status for r in github.requests if r.path == "/user"] == [403]


def test_no_identity_is_asked_for_when_no_comment_carries_the_marker(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    github.token, github.token_user = PAT, "octo-dev"
    github.add_comment(repo_of(pr_event), pr_number(pr_event), "LGTM", "mallory")
    runner.run(base_inputs(sim, github_token=PAT, suite_ids=f"{LOGIN},{CHECKOUT}"))
    assert not [r for r in github.requests if r.path == "/user"]
    assert [c["user"]["login"] for c in github.comments(repo_of(pr_event), pr_number(pr_event))] == [
        "mallory",
        "octo-dev",
    ]


# -- forks ---------------------------------------------------------------------------------------------


def fork_workflow_run(fork_owner: str = "forker", branch: str = "fix-login") -> dict[str, Any]:
    """A real workflow_run payload reshaped the way GitHub sends it for a fork's pull request:
    ``pull_requests`` empty, the head repository the fork."""
    event = webhook_example("workflow_run", action="completed", predicate=lambda p: p["workflow_run"]["pull_requests"])
    run = event["workflow_run"]
    base = event["repository"]["full_name"]
    fork = run["head_repository"]
    name = fork["name"]
    text_fields = ("full_name", "html_url", "url")
    for key in text_fields:
        fork[key] = fork[key].replace(base, f"{fork_owner}/{name}")
    fork["owner"].update(login=fork_owner, id=9999001, html_url=f"https://github.com/{fork_owner}")
    fork["fork"] = True
    run.update(event="pull_request", head_branch=branch, pull_requests=[])
    return event


def test_workflow_run_from_a_fork_finds_the_forks_pr(
    sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub
) -> None:
    event = fork_workflow_run()
    run, repo = event["workflow_run"], repo_of(event)
    github.add_pull(repo, 31, "1" * 40, "fix-login", head_owner="someone-else", fork=True)  # same branch name
    github.add_pull(repo, 32, run["head_sha"], "fix-login", head_owner="forker", fork=True)
    result = ActionRunner(tmp_path, "workflow_run", event, github_api_url=github.url).run(base_inputs(sim))
    assert result.returncode == 0 and not refusals(result)
    (comment,) = github.comments(repo, 32)
    assert result.outputs["comment-url"] == comment["html_url"] and github.comments(repo, 31) == []
    lookup = next(r for r in github.requests if r.operation == "/repos/{owner}/{repo}/pulls")
    assert lookup.query["head"] == ["forker:fix-login"] and lookup.query["state"] == ["open"]
    assert checks(github) == [("completed", "success")]


def test_workflow_run_from_a_fork_whose_branch_moved_on_comments_nowhere(
    sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub
) -> None:
    event = fork_workflow_run()
    repo = repo_of(event)
    github.add_pull(repo, 32, "2" * 40, "fix-login", head_owner="forker", fork=True)
    result = ActionRunner(tmp_path, "workflow_run", event, github_api_url=github.url).run(base_inputs(sim))
    assert result.returncode == 0 and github.comments(repo, 32) == [] and "comment-url" not in result.outputs
    assert checks(github) == [("completed", "success")]


def fork_pull_request() -> dict[str, Any]:
    """A real pull_request payload whose head is a fork, as GitHub sends it for a fork's PR."""
    event = webhook_example("pull_request", action="opened")
    head, base = event["pull_request"]["head"], event["pull_request"]["base"]["repo"]["full_name"]
    name = head["repo"]["name"]
    for key in ("full_name", "html_url", "url"):
        head["repo"][key] = head["repo"][key].replace(base, f"forker/{name}")
    head["repo"]["owner"].update(login="forker", id=9999001)
    head["repo"]["fork"] = True
    head.update(label=f"forker:{head['ref']}")
    return event


def test_a_forks_pull_request_without_the_secret_says_so(sim: AutosanaSimulator, tmp_path: Path) -> None:
    runner = ActionRunner(tmp_path, "pull_request", fork_pull_request())
    result = runner.run(base_inputs(sim, api_key=""))
    assert result.returncode == 2
    (error,) = result.commands("error")
    assert "pull request from a fork" in error and "secrets" in error
    assert "#pull-requests-from-forks" in error or '"Pull requests from forks" section' in error
    assert "on-fork: skip" in error
    assert "is required but empty" not in result.stdout
    assert sim.requests == []


def test_a_forks_pull_request_can_be_skipped(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    runner = ActionRunner(tmp_path, "pull_request", fork_pull_request(), github_api_url=github.url)
    result = runner.run(base_inputs(sim, api_key="", on_fork="Skip"))
    assert result.returncode == 0
    assert result.outputs == {"result": "skipped_fork"}
    (notice,) = result.commands("notice")
    assert "pull request from a fork" in notice
    assert "fork" in result.summary and "no flows ran" in result.summary.lower()
    assert sim.requests == [] and github.requests == []


def test_skipping_forks_never_hides_other_input_problems(sim: AutosanaSimulator, tmp_path: Path) -> None:
    runner = ActionRunner(tmp_path, "pull_request", fork_pull_request())
    result = runner.run(base_inputs(sim, api_key="", on_fork="skip", poll_interval="soon"))
    assert result.returncode == 2
    assert len(result.commands("error")) == 2 and "result" not in result.outputs


def test_on_fork_is_validated(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, on_fork="maybe"))
    assert result.returncode == 2 and sim.requests == []
    (error,) = result.commands("error")
    assert "on-fork" in error and "fail" in error and "skip" in error


def test_a_same_repository_pull_request_without_a_key_is_a_plain_input_error(
    sim: AutosanaSimulator, runner: ActionRunner
) -> None:
    result = runner.run(base_inputs(sim, api_key="", on_fork="skip"))
    assert result.returncode == 2 and "is required but empty" in result.commands("error")[0]


def test_a_forks_read_only_token_is_said_once(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    github.read_only = True
    event = fork_pull_request()
    pr = event["pull_request"]
    github.add_pull(repo_of(event), pr["number"], pr["head"]["sha"], pr["head"]["ref"], head_owner="forker", fork=True)
    result = ActionRunner(tmp_path, "pull_request", event, github_api_url=github.url).run(base_inputs(sim))
    assert result.returncode == 0 and result.outputs["result"] == "passed"
    (warning,) = refusals(result)
    assert "pull request from a fork" in warning and "read-only token" in warning
    assert "No PR comment or check run" in warning
    assert len(github.writes()) == 1
