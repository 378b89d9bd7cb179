"""The PR comment and the check run, end to end: entrypoint.py against the Autosana simulator
and a fake GitHub that checks every request against GitHub's OpenAPI description."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from action_harness import FAKE_GITHUB_TOKEN, ActionResult, ActionRunner
from conftest import CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_action.github.publisher import comment_marker
from autosana_sim import AutosanaSimulator, FlowPlan

BIG = "ffffffff-0000-4000-8000-000000000005"


def repo_of(event: dict[str, Any]) -> str:
    return str(event["repository"]["full_name"])


def pr_of(event: dict[str, Any]) -> tuple[int, str]:
    pr = event["pull_request"]
    return int(pr["number"]), str(pr["head"]["sha"])


def no_github_warnings(result: ActionResult) -> bool:
    return not [w for w in result.commands("warning") if "GitHub" in w or "Could not" in w]


def test_comment_is_created_then_updated_in_place(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, (number, sha) = repo_of(pr_event), pr_of(pr_event)
    github.add_comment(repo, number, "LGTM, but let's see the tests")

    first = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}"))
    assert first.returncode == 1 and no_github_warnings(first)
    ours = [c for c in github.comments(repo, number) if c["user"]["type"] == "Bot"]
    assert len(ours) == 1
    assert ours[0]["body"].startswith(comment_marker("Autosana"))
    assert "Checkout with expired card" in ours[0]["body"]
    assert first.outputs["comment-url"] == ours[0]["html_url"]

    second = runner.run(base_inputs(sim))
    assert second.returncode == 0
    ours_now = [c for c in github.comments(repo, number) if c["user"]["type"] == "Bot"]
    assert [c["id"] for c in ours_now] == [ours[0]["id"]]
    assert "✅ Autosana: 2 passed" in ours_now[0]["body"]
    assert "expired card" not in ours_now[0]["body"]
    assert len(github.comments(repo, number)) == 2

    runs = github.check_runs()
    assert [(r["head_sha"], r["status"], r["conclusion"]) for r in runs] == [
        (sha, "completed", "failure"),
        (sha, "completed", "success"),
    ]
    assert runs[0]["external_id"] == first.outputs["batch-id"]
    assert runs[0]["output"]["title"] == "1 of 4 flows failed"
    assert runs[0]["details_url"].startswith("https://autosana.ai/runs/groups/")
    assert first.outputs["check-run-url"] == runs[0]["html_url"]


def test_check_run_is_in_progress_while_polling(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    runner.run(base_inputs(sim))
    create = next(r for r in github.requests if r.method == "POST" and r.path.endswith("/check-runs"))
    assert create.body["status"] == "in_progress"
    assert create.body["details_url"].startswith("https://autosana.ai/runs/groups/")
    assert create.body["external_id"] in sim.batches
    assert create.headers["Authorization"] in (f"token {FAKE_GITHUB_TOKEN}", f"Bearer {FAKE_GITHUB_TOKEN}")


def test_two_check_names_keep_two_comments(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    for name in ("Autosana (android)", "Autosana (ios)", "Autosana (android)"):
        runner.run(base_inputs(sim, check_name=name))
    bodies = [c["body"] for c in github.comments(repo_of(pr_event), pr_of(pr_event)[0])]
    assert len(bodies) == 2
    assert bodies[0].startswith(comment_marker("Autosana (android)"))
    assert bodies[1].startswith(comment_marker("Autosana (ios)"))
    assert [r["name"] for r in github.check_runs()] == ["Autosana (android)", "Autosana (ios)", "Autosana (android)"]


def test_failures_mode_comments_only_on_failure_but_updates_a_stale_red_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_of(pr_event)[0]
    runner.run(base_inputs(sim, comment_mode="failures"))
    assert github.comments(repo, number) == []
    runner.run(base_inputs(sim, comment_mode="failures", suite_ids=CHECKOUT))
    (red,) = github.comments(repo, number)
    assert "❌" in red["body"]
    green = runner.run(base_inputs(sim, comment_mode="failures"))
    (updated,) = github.comments(repo, number)
    assert updated["id"] == red["id"] and "✅" in updated["body"] and green.outputs["comment-url"]


def test_comment_and_check_can_be_turned_off(sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub) -> None:
    result = runner.run(base_inputs(sim, comment_mode="off", check_run="false"))
    assert result.returncode == 0
    assert github.writes() == []
    assert "comment-url" not in result.outputs and "check-run-url" not in result.outputs


def test_marker_comment_beyond_the_first_page_is_found(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_of(pr_event)[0]
    for i in range(130):
        github.add_comment(repo, number, f"chatter {i}")
    ours = github.add_comment(repo, number, comment_marker("Autosana") + "old report", "github-actions[bot]", "Bot")
    runner.run(base_inputs(sim))
    comments = github.comments(repo, number)
    assert len(comments) == 131
    body = next(c for c in comments if c["id"] == ours)["body"]
    assert body.startswith(comment_marker("Autosana")) and "## ✅" in body and "old report" not in body
    pages = [r for r in github.requests if r.path.endswith(f"/issues/{number}/comments") and r.method == "GET"]
    assert len(pages) == 2


def test_push_without_pr_reports_only_a_check(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("push", predicate=lambda p: p["ref"].startswith("refs/heads/"))
    runner = ActionRunner(tmp_path, "push", event, github_api_url=github.url)
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0 and no_github_warnings(result)
    assert [r["head_sha"] for r in github.check_runs()] == [event["after"]]
    assert not any(r.method == "POST" and "/comments" in r.path for r in github.requests)
    assert "comment-url" not in result.outputs


def test_push_with_an_open_pr_comments_on_it(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("push", predicate=lambda p: p["ref"].startswith("refs/heads/"))
    repo = repo_of(event)
    github.add_pull(repo, 77, event["after"], event["ref"].removeprefix("refs/heads/"))
    runner = ActionRunner(tmp_path, "push", event, github_api_url=github.url)
    result = runner.run(base_inputs(sim))
    assert len(github.comments(repo, 77)) == 1 and result.outputs["comment-url"].endswith(
        f"/pull/77#issuecomment-{github.comments(repo, 77)[0]['id']}"
    )


def test_workflow_run_event_reports_on_the_triggering_pr(
    sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub
) -> None:
    event = webhook_example("workflow_run", predicate=lambda p: bool(p["workflow_run"]["pull_requests"]))
    run = event["workflow_run"]
    number = run["pull_requests"][0]["number"]
    runner = ActionRunner(tmp_path, "workflow_run", event, github_api_url=github.url)
    runner.run(base_inputs(sim))
    assert len(github.comments(repo_of(event), number)) == 1
    assert [r["head_sha"] for r in github.check_runs()] == [run["head_sha"]]


def test_merge_group_checks_the_queue_commit(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("merge_group")
    runner = ActionRunner(tmp_path, "merge_group", event, github_api_url=github.url)
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0
    assert [r["head_sha"] for r in github.check_runs()] == [event["merge_group"]["head_sha"]]


def test_workflow_dispatch_with_explicit_pr_and_sha(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("workflow_dispatch")
    sha = "1234567890abcdef1234567890abcdef12345678"
    runner = ActionRunner(tmp_path, "workflow_dispatch", event, github_api_url=github.url)
    runner.run(base_inputs(sim, pr_number="12", commit_sha=sha.upper()))
    assert len(github.comments(repo_of(event), 12)) == 1
    assert [r["head_sha"] for r in github.check_runs()] == [sha]
    assert sim.calls("/api/v1/flows/run")[0].body["variables"]["COMMIT_SHA"] == sha


def test_pull_request_target_uses_the_head_sha(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("pull_request", action="synchronize")
    runner = ActionRunner(tmp_path, "pull_request_target", event, github_api_url=github.url)
    runner.run(base_inputs(sim))
    assert [r["head_sha"] for r in github.check_runs()] == [event["pull_request"]["head"]["sha"]]


def test_read_only_token_warns_once_per_part_and_keeps_the_results(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.read_only = True
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0
    check, comment = (w for w in result.commands("warning") if "GitHub refused" in w)
    assert "create the check run" in check and "`checks: write`" in check and "pull-requests" not in check
    assert "write the PR comment" in comment and "`pull-requests: write`" in comment and "checks" not in comment
    assert all("Resource not accessible by integration" in w for w in (check, comment))
    assert result.outputs["result"] == "passed" and "comment-url" not in result.outputs
    assert "## ✅ Autosana" in result.summary
    assert len(github.writes()) == 2  # one refusal per part, nothing asked twice


def test_read_only_token_does_not_hide_a_failure(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.read_only = True
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1 and result.outputs["result"] == "failed"


def test_github_server_errors_are_retried(sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub) -> None:
    github.fail_next = [
        (502, {}, {}),
        (403, {"Retry-After": "1"}, {"message": "You have exceeded a secondary rate limit"}),
    ]
    result = runner.run(base_inputs(sim))
    assert result.returncode == 0 and no_github_warnings(result), result.stdout
    assert len(github.check_runs()) == 1 and result.outputs["comment-url"]


def test_a_failed_comment_lookup_never_duplicates_the_sticky_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, number = repo_of(pr_event), pr_of(pr_event)[0]
    ours = github.add_comment(repo, number, comment_marker("Autosana") + "old report", "github-actions[bot]", "Bot")
    github.fail_matching = [("GET", f"/issues/{number}/comments", 502)] * 4  # one lookup, retries exhausted
    result = runner.run(base_inputs(sim))
    assert [c["id"] for c in github.comments(repo, number)] == [ours]
    assert "old report" not in github.comments(repo, number)[0]["body"]
    assert len([w for w in result.commands("warning") if "read the PR comments" in w]) == 1

    github.fail_matching = [("GET", f"/issues/{number}/comments", 502)] * 8  # every lookup fails
    result = runner.run(base_inputs(sim))
    assert [c["id"] for c in github.comments(repo, number)] == [ours]
    assert result.returncode == 0 and "comment-url" not in result.outputs
    assert [r["status"] for r in github.check_runs()] == ["completed", "completed"]


def test_enterprise_server_base_path(sim: AutosanaSimulator, tmp_path: Path, pr_event: dict[str, Any]) -> None:
    with FakeGitHub(base_path="/api/v3", web_url="https://ghe.example.com", token=FAKE_GITHUB_TOKEN) as ghes:
        runner = ActionRunner(tmp_path, "pull_request", pr_event, github_api_url=ghes.url)
        result = runner.run(base_inputs(sim))
        assert ghes.violations == []
        assert result.outputs["comment-url"].startswith("https://ghe.example.com/")
        assert all(r.operation for r in ghes.requests)
        assert len(ghes.check_runs()) == 1


def test_five_thousand_runs_stay_within_github_limits(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    flows = [
        FlowPlan(
            f"Flow number {i} with a long descriptive name",
            "failed" if i % 10 == 0 else "passed",
            0.05,
            "The agent walked through every step of the flow and reported what it saw on each screen. " * 3,
        )
        for i in range(5000)
    ]
    sim.plan(BIG, "Huge Suite", *flows)
    result = runner.run(base_inputs(sim, suite_ids=BIG, poll_interval="0.5"), timeout=120)
    assert result.returncode == 1 and no_github_warnings(result), result.stdout[-2000:]
    (comment,) = github.comments(repo_of(pr_event), pr_of(pr_event)[0])
    assert len(comment["body"]) <= 65536
    assert "did not pass" in comment["body"]
    (check,) = github.check_runs()
    assert len(check["output"]["summary"]) <= 65535
    assert len(result.summary.encode()) <= 1024 * 1024
    assert result.outputs["failed-flows"] == "500"


@pytest.mark.parametrize("mode", ["comment", "check"])
def test_hostile_text_in_what_we_post(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any], mode: str
) -> None:
    sim.plan(
        BIG,
        "<details open><summary>@octocat",
        FlowPlan("</td></table><script>x</script>", "failed", 0.05, "ping @org/team and fix #1 | --> ```"),
    )
    runner.run(base_inputs(sim, suite_ids=BIG))
    if mode == "comment":
        (comment,) = github.comments(repo_of(pr_event), pr_of(pr_event)[0])
        text = comment["body"][comment["body"].index("## ") :]
    else:
        text = github.check_runs()[0]["output"]["summary"]
    for forbidden in ("<script", "</table", "<details open", "@octocat", "@org", "#1", "```", "-->"):
        assert forbidden not in text, forbidden
