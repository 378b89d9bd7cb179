"""Merge mode end to end: matrix jobs run entrypoint.py against the Autosana simulator with their
comment and check run off; a merge job reads their results files, the way download-artifact lays
them out, and posts one comment and one check run to a fake GitHub checked against its OpenAPI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionResult, ActionRunner
from conftest import CHECKOUT, LOGIN, base_inputs
from support.batches import big_batch
from support.fake_github import FakeGitHub

from autosana_action.github.publisher import comment_marker
from autosana_action.redaction import Redactor
from autosana_action.report.render import Report
from autosana_action.report.results_file import RESULTS_FILE, JobFacts, TargetFacts, write_results
from autosana_action.verdict import Counts, judge
from autosana_sim import AutosanaSimulator, FlowPlan

MATRIX = {
    "android": {"bundle-id": "com.company.app", "platform": "android", "suite-ids": LOGIN},
    "ios": {"bundle-id": "com.company.app", "platform": "ios", "suite-ids": LOGIN},
    "web": {"bundle-id": "", "platform": "", "app-id": "shop-web", "web-browser": "firefox", "suite-ids": CHECKOUT},
}
GLOB = "autosana-results/*/autosana-results.json"


class Workflow:
    """One workflow run: matrix jobs in their own workspaces, artifacts downloaded into the merge
    job's workspace, one folder per artifact (download-artifact with a pattern does this)."""

    def __init__(self, tmp_path: Path, event: dict[str, Any], github: FakeGitHub, sim: AutosanaSimulator) -> None:
        self.tmp_path, self.event, self.github, self.sim = tmp_path, event, github, sim
        self.merge_dir = tmp_path / "merge"
        self.merge_dir.mkdir()

    def runner(self, name: str) -> ActionRunner:
        workdir = self.tmp_path / name
        workdir.mkdir(exist_ok=True)
        runner = ActionRunner(workdir, "pull_request", self.event, github_api_url=self.github.url)
        runner.extra_env["GITHUB_JOB"] = "autosana"
        return runner

    def job(self, name: str, **overrides: str) -> ActionResult:
        inputs = base_inputs(self.sim, **MATRIX[name], target_name=name, comment_mode="off", check_run="false")
        inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
        result = self.runner(name).run({k: v for k, v in inputs.items() if v})
        artifact = self.merge_dir / "autosana-results" / f"autosana-{name}"
        shutil.rmtree(artifact, ignore_errors=True)
        artifact.mkdir(parents=True)
        shutil.copy(self.tmp_path / name / RESULTS_FILE, artifact / RESULTS_FILE)
        return result

    def merge(self, **overrides: str) -> ActionResult:
        runner = ActionRunner(self.merge_dir, "pull_request", self.event, github_api_url=self.github.url)
        inputs = {"results": GLOB, **{k.replace("_", "-"): v for k, v in overrides.items()}}
        return runner.run(inputs, timeout=120)

    def artifact(self, name: str) -> Path:
        return self.merge_dir / "autosana-results" / f"autosana-{name}" / RESULTS_FILE


@pytest.fixture
def wf(tmp_path: Path, pr_event: dict[str, Any], github: FakeGitHub, sim: AutosanaSimulator) -> Workflow:
    pr = pr_event["pull_request"]
    github.add_pull(pr_event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    return Workflow(tmp_path, pr_event, github, sim)


def our_comments(github: FakeGitHub, event: dict[str, Any]) -> list[dict[str, Any]]:
    return github.comments(event["repository"]["full_name"], event["pull_request"]["number"])


def test_three_targets_one_failing_make_one_comment_and_one_check(
    wf: Workflow, github: FakeGitHub, sim: AutosanaSimulator, pr_event: dict[str, Any]
) -> None:
    jobs = {name: wf.job(name) for name in MATRIX}
    assert [jobs[n].returncode for n in MATRIX] == [0, 0, 1]
    assert github.writes() == []  # the matrix jobs post nothing
    before = len(sim.requests)

    result = wf.merge(expected_targets="android, ios, web")

    assert result.returncode == 1, result.stdout
    assert len(sim.requests) == before  # merging asks Autosana nothing
    assert result.outputs["result"] == "failed"
    assert (result.outputs["total-flows"], result.outputs["failed-flows"]) == ("6", "1")
    (comment,) = our_comments(github, pr_event)
    body = comment["body"]
    assert body.startswith(comment_marker("Autosana"))
    assert "## ❌ Autosana: 2 of 3 targets passed: 5 passed, 1 failed" in body
    for heading in ("### ✅ android: 2 passed", "### ✅ ios: 2 passed", "### ❌ web: 1 passed, 1 failed"):
        assert heading in body
    assert body.index("### ❌ web") < body.index("### ✅ android") < body.index("### ✅ ios")
    web = body[body.index("### ❌ web") : body.index("### ✅ android")]
    assert "**Browser** firefox" in web and "**Batch** `" in web and "**Job** autosana" in web
    assert "Checkout with expired card" in web and "No error message after tapping Pay." in web
    assert "#### ❌ [Checkout Suite]" in web
    assert result.outputs["comment-url"] == comment["html_url"]
    (check,) = github.check_runs()
    assert (check["name"], check["status"], check["conclusion"]) == ("Autosana", "completed", "failure")
    assert check["head_sha"] == pr_event["pull_request"]["head"]["sha"]
    assert check["details_url"].startswith("https://autosana.ai/runs/groups/")  # web's failing group
    assert "### ❌ web" in check["output"]["summary"]
    assert "### ❌ web" in result.summary
    assert any("web › Checkout Suite › Checkout with expired card" in line for line in result.stdout.splitlines())


def test_a_job_that_wrote_no_file_shows_as_missing_never_green(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    wf.job("android")
    wf.job("ios")
    result = wf.merge(expected_targets="android\nios\nweb")

    assert result.returncode == 1
    assert result.outputs["result"] == "error"
    (comment,) = our_comments(github, pr_event)
    assert "## 💥 Autosana: 2 of 3 targets passed: 4 passed; 1 sent no results" in comment["body"]
    assert "### 💥 web: missing" in comment["body"]
    assert github.check_runs()[0]["conclusion"] == "failure"
    assert any("Target web sent no results file" in e for e in result.commands("error"))


def test_a_count_of_expected_targets_also_catches_a_missing_job(wf: Workflow) -> None:
    wf.job("android")
    result = wf.merge(expected_targets="2")
    assert result.returncode == 1 and result.outputs["result"] == "error"
    assert "### 💥 target 2 of 2: missing" in result.summary


def test_a_rerun_updates_the_same_comment_and_says_what_was_fixed(
    wf: Workflow, github: FakeGitHub, sim: AutosanaSimulator, pr_event: dict[str, Any]
) -> None:
    for name in MATRIX:
        wf.job(name)
    first = wf.merge()
    assert first.returncode == 1
    (comment,) = our_comments(github, pr_event)
    assert "🆕 new" not in comment["body"]  # nothing to compare with yet

    sim.plan(
        CHECKOUT,
        "Checkout Suite",
        FlowPlan("Checkout with saved card", "passed", 0.1, "Order confirmed."),
        FlowPlan("Checkout with expired card", "passed", 0.1, "The card was declined with a clear message."),
    )
    sim.plan(LOGIN, "Login Suite", FlowPlan("Login with valid credentials", "failed", 0.1, "Stuck on the spinner."))
    wf.job("web")
    wf.job("ios")
    second = wf.merge()

    (updated,) = our_comments(github, pr_event)
    assert updated["id"] == comment["id"]
    body = updated["body"]
    assert "1 new failure, 1 fixed since" in body
    assert "**Fixed since the last report:** Checkout with expired card (web)" in body
    ios = body[body.index("### ❌ ios") : body.index("### ✅ android")]
    assert "🆕 new" in ios
    assert second.outputs["comment-url"] == updated["html_url"]
    assert [c["conclusion"] for c in github.check_runs()] == ["failure", "failure"]


def test_mixed_schema_versions_are_refused_with_the_file_named(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    for name in MATRIX:
        wf.job(name)
    for name, version in (("ios", 2), ("web", None)):
        data = json.loads(wf.artifact(name).read_text())
        data.pop("schema_version")
        if version is not None:
            data["schema_version"] = version
        wf.artifact(name).write_text(json.dumps(data))

    result = wf.merge()

    assert result.returncode == 2 and result.outputs["result"] == "error"
    errors = result.commands("error")
    assert any("autosana-ios/autosana-results.json has schema version 2" in e for e in errors)
    assert any("autosana-web/autosana-results.json has no schema_version" in e for e in errors)
    assert all("same autosana-action version" in e for e in errors if "schema" in e)
    (comment,) = our_comments(github, pr_event)
    assert "The results could not be merged" in comment["body"]
    assert github.check_runs()[0]["conclusion"] == "failure"


def test_files_of_another_commit_are_refused_unless_allowed(wf: Workflow) -> None:
    wf.job("android")
    wf.job("ios", commit_sha="1234567890abcdef1234567890abcdef12345678")
    refused = wf.merge()
    assert refused.returncode == 2
    assert any("is for commit 1234567890ab" in e and "allow-other-commits" in e for e in refused.commands("error"))
    allowed = wf.merge(allow_other_commits="true")
    assert allowed.returncode == 0 and allowed.outputs["result"] == "passed"


def test_duplicate_targets_and_no_files_are_refused(wf: Workflow) -> None:
    wf.job("android")
    shutil.copytree(wf.artifact("android").parent, wf.artifact("android-again").parent)
    duplicate = wf.merge()
    assert duplicate.returncode == 2
    assert any("Target 'android' has 2 results files" in e for e in duplicate.commands("error"))

    nothing = wf.merge(results="nowhere/*.json")
    assert nothing.returncode == 2 and nothing.outputs["result"] == "error"
    assert any("No results files match results: nowhere/*.json" in e for e in nothing.commands("error"))


def write_target(workspace: Path, index: int, runs: int, head_sha: str) -> None:
    status = big_batch(groups=2, runs_per_group=runs // 2, failing_every=10)
    verdict = judge(status, frozenset({"failed"}))
    report = Report(
        result=verdict.result,
        headline=verdict.headline,
        batch_id=f"batch-{index}",
        status=status,
        counts=Counts.of(status),
        app=f"app {index}",
        commit="ab" * 20,
    )
    name = f"shard-{index:03d}"
    path = workspace / "autosana-results" / f"autosana-{name}" / RESULTS_FILE
    write_results(
        report,
        path,
        TargetFacts(name=name, platform="android"),
        JobFacts(name="autosana", head_sha=head_sha),
        redactor=Redactor(),
    )


def test_fifty_targets_of_a_hundred_runs_stay_within_github_limits(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    for index in range(50):
        write_target(wf.merge_dir, index, 100, pr_event["pull_request"]["head"]["sha"])
    result = wf.merge(expected_targets="50")

    assert result.returncode == 1, result.stdout[-3000:]
    assert not [w for w in result.commands("warning") if "GitHub" in w or "Could not" in w]
    assert result.outputs["total-flows"] == "5000" and result.outputs["failed-flows"] == "500"
    (comment,) = our_comments(github, pr_event)
    assert len(comment["body"]) <= 65536
    assert comment["body"].count("\n### ") == 50  # every target keeps its section
    sections = comment["body"].split("\n### ")[1:]
    assert all("| ❌ failed |" in section for section in sections)  # each shows some of its failures
    assert "did not pass) to stay within GitHub's size limit" in comment["body"]
    (check,) = github.check_runs()
    assert len(check["output"]["summary"]) <= 65535
    assert all(r.status < 400 for r in github.requests)
    assert len(result.summary.encode()) <= 1024 * 1024


def test_hostile_target_names_stay_text(wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]) -> None:
    wf.job("android", target_name="<script>x</script> @octocat | ```")
    wf.merge()
    (comment,) = our_comments(github, pr_event)
    text = comment["body"][comment["body"].index("## ") :]
    for forbidden in ("<script", "@octocat", "```", "| ```"):
        assert forbidden not in text


def test_hundreds_of_targets_are_named_when_their_sections_cannot_fit(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    for index in range(300):
        write_target(wf.merge_dir, index, 2, pr_event["pull_request"]["head"]["sha"])
    result = wf.merge()
    (comment,) = our_comments(github, pr_event)
    assert len(comment["body"]) <= 65536
    assert "more targets (" in comment["body"] and "are not shown to stay within GitHub's size limit" in comment["body"]
    assert len(github.check_runs()[0]["output"]["summary"]) <= 65535
    assert result.outputs["total-flows"] == "600"


def test_a_matrix_job_that_posts_too_is_warned_about(wf: Workflow) -> None:
    wf.job("android", comment_mode="always", check_run="true")
    result = wf.merge()
    assert any("post their own comment or check run too" in w and "android" in w for w in result.commands("warning"))


def test_a_target_whose_flows_did_not_start_is_an_error_not_green(wf: Workflow, github: FakeGitHub) -> None:
    wf.job("android")
    wf.job("ios", api_key="wrong-key-0000")
    result = wf.merge()
    assert result.returncode == 1 and result.outputs["result"] == "error"
    assert "### 💥 ios: The flows were not started" in result.summary
    assert github.check_runs()[0]["conclusion"] == "failure"


def test_an_old_results_file_is_removed_before_inputs_are_checked(wf: Workflow) -> None:
    wf.job("android")
    stale = wf.tmp_path / "android" / RESULTS_FILE
    assert stale.exists()
    result = wf.runner("android").run({"api-key": "", "bundle-id": "com.company.app", "platform": "android"})
    assert result.returncode == 2 and not stale.exists()


@pytest.mark.parametrize(("visibility", "shown"), [("public", False), ("private", True)])
def test_a_merged_report_keeps_signed_artifact_links_out_of_public_repositories(
    tmp_path: Path, github: FakeGitHub, sim: AutosanaSimulator, pr_event: dict[str, Any], visibility: str, shown: bool
) -> None:
    event = json.loads(json.dumps(pr_event))
    event["repository"]["private"] = visibility == "private"
    event["repository"]["visibility"] = visibility
    pr = event["pull_request"]
    github.add_pull(event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    flow = Workflow(tmp_path, event, github, sim)
    flow.job("web", artifact_links="always")  # the matrix job's file keeps the links either way
    assert sim.artifacts.url in flow.artifact("web").read_text()

    result = flow.merge()

    (comment,) = our_comments(github, event)
    for place in (comment["body"], github.check_runs()[0]["output"]["summary"], result.summary):
        assert (sim.artifacts.url in place) is shown


def test_the_worst_target_comes_first_a_missing_one_before_a_failing_one(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    wf.job("android")
    wf.job("web")  # its checkout flow fails
    wf.merge(expected_targets="android, web, ios")

    body = our_comments(github, pr_event)[0]["body"]
    assert body.index("### 💥 ios: missing") < body.index("### ❌ web") < body.index("### ✅ android")
