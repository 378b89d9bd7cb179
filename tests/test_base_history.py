"""Is this failure mine? End to end: entrypoint.py on a pull request, against the simulator and a
fake GitHub whose base branch has our check runs (with digests) on earlier commits, another app's
check run with a forged digest, commits without any, and reads GitHub refuses."""

from __future__ import annotations

import base64
import json
import zlib
from pathlib import Path
from typing import Any

from action_harness import FAKE_GITHUB_TOKEN, ActionResult, ActionRunner
from conftest import CHECKOUT, base_inputs
from support.fake_github import FakeGitHub
from test_merge import Workflow

from autosana_action.github.base_history import read_base_history
from autosana_action.github.side_client import getter, side_client
from autosana_action.report.digest import Digest, Outcome, decode
from autosana_action.report.history import run_key
from autosana_sim import AutosanaSimulator, FlowPlan

BASE = "master"  # the webhook example's base branch
COMMITS = "/repos/{owner}/{repo}/commits"
COMMIT_CHECK_RUNS = "/repos/{owner}/{repo}/commits/{ref}/check-runs"
EXPIRED = run_key("Checkout Suite", "Checkout with expired card")
SAVED = run_key("Checkout Suite", "Checkout with saved card")


def sha(n: int) -> str:
    return f"{n:x}".rjust(40, "b")


def repo_of(event: dict[str, Any]) -> str:
    return str(event["repository"]["full_name"])


def digest(branch: str = BASE, **flows: Outcome) -> str:
    keys = {"expired": EXPIRED, "saved": SAVED}
    return Digest({"": {keys[name]: outcome for name, outcome in flows.items()}}, branch).encode()


def comment(github: FakeGitHub, event: dict[str, Any]) -> str:
    (found,) = github.comments(repo_of(event), int(event["pull_request"]["number"]))
    return str(found["body"])


def base_reads(github: FakeGitHub) -> list[str]:
    return [r.path for r in github.requests if r.operation in (COMMITS, COMMIT_CHECK_RUNS)]


def notices(result: ActionResult) -> list[str]:
    return result.commands("notice")


def seed(github: FakeGitHub, repo: str) -> dict[str, Any]:
    """master: c4 none, c3 another app's forged digest, c2 ours (expired card failing), c1 ours (passing)."""
    github.add_commits(repo, BASE, [sha(4), sha(3), sha(2), sha(1)])
    github.add_check_run(repo, sha(3), "Autosana", digest(expired=Outcome.FAILED), app_slug="someone-elses-app")
    ours = github.add_check_run(repo, sha(2), "Autosana", digest(expired=Outcome.FAILED, saved=Outcome.PASSED))
    github.add_check_run(repo, sha(1), "Autosana", digest(expired=Outcome.PASSED), conclusion="success")
    github.add_check_run(repo, sha(1), "Another check", digest(expired=Outcome.FAILED))
    return ours


def test_a_failure_the_base_shares_is_named_with_its_latest_failing_check(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    ours = seed(github, repo_of(pr_event))
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1 and result.outputs["result"] == "failed"  # the verdict does not change
    body = comment(github, pr_event)
    assert f"also failing on {BASE} (1 of 2, [latest]({ours['html_url']}))" in body  # the forged one is not counted
    assert f"**1 failure: 1 also failing on {BASE}** (compared with the last 2 runs on {BASE})" in body
    summary = github.check_runs()[-1]["output"]["summary"]
    assert f"also failing on {BASE} (1 of 2" in summary and f"also failing on {BASE} (1 of 2" in result.summary
    assert len(base_reads(github)) == 5  # the commits list and 4 commits: N+1 at most
    assert not notices(result)


def test_our_finished_check_run_carries_the_digest_for_the_next_pull_request(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    (check,) = github.check_runs()
    assert "<!--" not in check["output"]["summary"]
    found = decode(check["output"]["text"])
    assert found is not None
    assert found.targets[""] == {EXPIRED: Outcome.FAILED, SAVED: Outcome.PASSED}
    assert found.branch == "changes"  # the pull request's head: never read as a run of the base


def test_neither_a_pull_requests_run_nor_a_running_one_is_the_base(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    """Merged pull requests bring their commits, and our check runs on them, into the base's history."""
    repo = repo_of(pr_event)
    github.add_commits(repo, BASE, [sha(3), sha(2)])
    github.add_check_run(repo, sha(3), "Autosana", digest(expired=Outcome.FAILED), conclusion=None)  # still running
    github.add_check_run(repo, sha(2), "Autosana", digest("some-feature", expired=Outcome.FAILED))
    runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    body = comment(github, pr_event)
    assert "also failing" not in body and f"run this workflow on pushes to {BASE}" in body


def test_a_new_failure_and_a_fix_are_told_apart(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo = repo_of(pr_event)
    github.add_commits(repo, BASE, [sha(2)])
    github.add_check_run(repo, sha(2), "Autosana", digest(expired=Outcome.PASSED, saved=Outcome.FAILED))
    runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    body = comment(github, pr_event)
    assert f"**1 failure: 1 new in this PR** (compared with the last 1 run on {BASE})" in body
    assert "🆕 new in this PR" in body
    assert f"**Fixed by this PR (failing on {BASE}):** Checkout with saved card" in body


def test_without_base_history_the_report_says_how_to_get_it_once(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    github.add_commits(repo_of(pr_event), BASE, [sha(2), sha(1)])
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    hint = f"run this workflow on pushes to {BASE}"
    assert comment(github, pr_event).count(hint) == 1
    assert result.summary.count(hint) == 1
    assert len([n for n in notices(result) if hint in n]) == 1


def test_a_refused_base_read_only_drops_the_comparison(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    seed(github, repo_of(pr_event))
    github.refuse("GET", COMMIT_CHECK_RUNS, 403)
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1
    (notice,) = notices(result)
    assert f"comparison with {BASE} was left out" in notice and "403" in notice and "`checks: read`" in notice
    body = comment(github, pr_event)
    assert "left out" in body and "also failing" not in body and "new in this PR" not in body
    assert [(r["status"], r["conclusion"]) for r in github.check_runs() if r["head_sha"] not in map(sha, range(5))] == [
        ("completed", "failure")
    ]
    assert len(base_reads(github)) == 2  # the list, then the first refused commit: nothing more


def test_a_digest_of_another_version_is_left_out_with_a_notice(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo = repo_of(pr_event)
    github.add_commits(repo, BASE, [sha(2)])
    old = base64.urlsafe_b64encode(zlib.compress(json.dumps({"v": 0, "failing": [EXPIRED]}).encode())).decode()
    github.add_check_run(repo, sha(2), "Autosana", f"<!-- autosana-digest v0 {old} -->\n## old report")
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1
    (notice,) = notices(result)
    assert "version 0" in notice and "left out of the comparison" in notice


def test_base_history_zero_reads_nothing(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    seed(github, repo_of(pr_event))
    runner.run(base_inputs(sim, suite_ids=CHECKOUT, base_history="0"))
    assert base_reads(github) == []
    assert "also failing" not in comment(github, pr_event)


def test_reads_stay_within_n_plus_one(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    github.add_commits(repo_of(pr_event), BASE, [sha(n) for n in range(30, 0, -1)])
    runner.run(base_inputs(sim, suite_ids=CHECKOUT, base_history="3"))
    reads = [r for r in github.requests if r.operation in (COMMITS, COMMIT_CHECK_RUNS)]
    assert len(reads) == 4 and reads[0].query["per_page"] == ["3"]


def test_failures_the_base_shares_may_be_warnings_and_the_report_says_so(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    seed(github, repo_of(pr_event))
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT, base_failures_as_warnings="true"))
    assert result.returncode == 0 and result.outputs["result"] == "passed"
    assert result.outputs["failed-flows"] == "1"
    assert "(base-failures-as-warnings: true)" in comment(github, pr_event)
    (warning,) = [w for w in result.commands("warning") if "treated as a warning" in w]
    assert "Checkout with expired card" in warning
    assert github.check_runs()[-1]["conclusion"] == "success"


def test_a_new_failure_still_fails_with_failures_as_warnings(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo = repo_of(pr_event)
    github.add_commits(repo, BASE, [sha(2)])
    github.add_check_run(repo, sha(2), "Autosana", digest(expired=Outcome.PASSED))
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT, base_failures_as_warnings="true"))
    assert result.returncode == 1 and "treated as warning" not in comment(github, pr_event)


def test_merge_mode_compares_each_target_with_the_same_target_on_the_base(
    tmp_path: Path, sim: AutosanaSimulator, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo, pr = repo_of(pr_event), pr_event["pull_request"]
    github.add_pull(repo, pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    github.add_commits(repo, BASE, [sha(2)])
    targets = {"web": {EXPIRED: Outcome.FAILED}, "android": {EXPIRED: Outcome.PASSED}}
    github.add_check_run(repo, sha(2), "Autosana", Digest(targets, BASE).encode())
    matrix = Workflow(tmp_path, pr_event, github, sim)
    matrix.job("android", suite_ids=CHECKOUT)
    matrix.job("web")
    result = matrix.merge()
    assert result.returncode == 1
    body = comment(github, pr_event)
    web, android = body.index("### ❌ web"), body.index("### ❌ android")
    assert f"also failing on {BASE} (1 of 1" in body and "new in this PR" in body
    assert (
        f"**1 failure: 1 also failing on {BASE}**" in body[web:] and "**1 failure: 1 new in this PR**" in body[android:]
    )
    merged = next(r for r in github.check_runs() if r["head_sha"] == pr["head"]["sha"])
    found = decode(merged["output"]["text"])
    assert found is not None and set(found.targets) == {"web", "android"}
    assert found.targets["web"][EXPIRED] is Outcome.FAILED


def test_reading_the_base_stops_at_its_time_budget_and_keeps_what_it_read(github: FakeGitHub) -> None:
    repo = "octo-org/octo-repo"
    github.add_commits(repo, BASE, [sha(n) for n in range(10, 0, -1)])
    for n in range(1, 11):
        github.add_check_run(repo, sha(n), "Autosana", digest(expired=Outcome.FAILED))
    ticks = iter(range(0, 1000, 8))  # each look at the clock is 8 s later: a slow GitHub
    history = read_base_history(
        getter(side_client(github.url, FAKE_GITHUB_TOKEN, retries=0)),
        repo,
        BASE,
        check_name="Autosana",
        app_slug="github-actions",
        count=10,
        budget=20,
        clock=lambda: float(next(ticks)),
    )
    assert len(history.runs) == 2 and history.reads == 3  # the list at 0 s, commits at 8 and 16 s
    (notice,) = history.notices
    assert f"Only 2 of {BASE}'s last 10 commits were read within 20 s" in notice


HUNDRED = "dddddddd-0000-4000-8000-000000000100"
EMPTY = "dddddddd-0000-4000-8000-000000000000"


def test_a_hundred_flows_and_none(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    repo = repo_of(pr_event)
    sim.plan(HUNDRED, "Hundred", *(FlowPlan(f"Flow {i}", "failed" if i % 2 else "passed", 0.05) for i in range(100)))
    sim.plan(EMPTY, "Empty")
    on_base = {run_key("Hundred", f"Flow {i}"): Outcome.FAILED if i % 4 == 1 else Outcome.PASSED for i in range(100)}
    github.add_commits(repo, BASE, [sha(2)])
    github.add_check_run(repo, sha(2), "Autosana", Digest({"": on_base}, BASE).encode())
    result = runner.run(base_inputs(sim, suite_ids=HUNDRED), timeout=90)
    assert result.returncode == 1
    assert f"**50 failures: 25 new in this PR, 25 also failing on {BASE}**" in comment(github, pr_event)
    empty = runner.run(base_inputs(sim, suite_ids=EMPTY))
    assert empty.outputs["result"] == "no_flows"
    body = comment(github, pr_event)
    assert "No failures" not in body and "failures:" not in body
