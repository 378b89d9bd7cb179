"""Merge mode fails closed and does not trust what another job wrote: results are judged again
with the single-job verdict, verified with Autosana when the merge has an api-key, files that
name no commit are refused, malformed files never crash it, its log agrees with its exit status,
and a fork's skipped matrix is reported as skipped. Real HTTP throughout (simulator, fake GitHub)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionRunner
from conftest import API_KEY
from support.fake_github import FakeGitHub
from test_github_trust import fork_pull_request
from test_merge import MATRIX, Workflow

from autosana_action.action import ActionRun
from autosana_action.redaction import Redactor
from autosana_action.report.render import Report
from autosana_action.report.results_file import RESULTS_FILE, JobFacts, TargetFacts, write_results
from autosana_action.verdict import Result
from autosana_sim import AutosanaSimulator


@pytest.fixture
def wf(tmp_path: Path, pr_event: dict[str, Any], github: FakeGitHub, sim: AutosanaSimulator) -> Workflow:
    pr = pr_event["pull_request"]
    github.add_pull(pr_event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    return Workflow(tmp_path, pr_event, github, sim)


def edit(path: Path, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
    return data


def last_line(stdout: str) -> str:
    return [line for line in stdout.splitlines() if "Autosana:" in line][-1]


def test_a_failing_file_edited_to_passed_is_an_error_named_in_the_report(wf: Workflow, github: FakeGitHub) -> None:
    wf.job("web")  # its checkout suite fails
    edit(wf.artifact("web"), result="passed", headline="All good")
    result = wf.merge()

    assert result.returncode == 1 and result.outputs["result"] == "error"
    (check,) = github.check_runs()
    assert check["conclusion"] == "failure" and check["output"]["title"].startswith("0 of 1 targets passed")
    assert "autosana-web/autosana-results.json: it says passed, but its runs say failed" in result.summary
    assert "Not verified" in result.summary


def test_a_stated_pass_without_a_complete_batch_is_an_error(wf: Workflow) -> None:
    wf.job("android")
    edit(wf.artifact("android"), is_complete=False)
    result = wf.merge()
    assert result.returncode == 1 and result.outputs["result"] == "error"
    assert "its batch is not complete" in result.summary


def test_a_file_that_names_no_commit_is_refused(wf: Workflow) -> None:
    wf.job("android")
    data = json.loads(wf.artifact("android").read_text())
    data["job"]["head_sha"] = None
    data["commit"] = "1" * 40
    wf.artifact("android").write_text(json.dumps(data))
    result = wf.merge()
    assert result.returncode == 2 and result.outputs["result"] == "error"
    assert any("names no commit" in e for e in result.commands("error"))
    assert wf.merge(allow_other_commits="true").returncode == 0


def nested_results(levels: int) -> str:
    """A results file that is valid but for one field nested ``levels`` deep."""
    return json.dumps(
        {
            "schema_version": 1,
            "result": "error",
            "headline": "x",
            "target": {"name": "evil"},
            "job": {"head_sha": "HEAD_SHA"},
            "extra": "",
        }
    ).replace('"extra": ""', '"extra": ' + "[" * levels + "]" * levels)


@pytest.mark.parametrize("content", ["[" * 100_000 + "]" * 100_000, nested_results(70), "{" * 50_000])
def test_a_deep_or_hostile_file_is_named_and_the_merge_still_reports(
    wf: Workflow, github: FakeGitHub, pr_event: dict[str, Any], content: str
) -> None:
    wf.job("android")
    hostile = wf.merge_dir / "autosana-results" / "autosana-evil" / RESULTS_FILE
    hostile.parent.mkdir(parents=True)
    hostile.write_text(content.replace("HEAD_SHA", pr_event["pull_request"]["head"]["sha"]))
    result = wf.merge()

    assert result.returncode == 2 and result.outputs["result"] == "error", result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert any("autosana-evil/autosana-results.json" in e for e in result.commands("error"))
    assert [c["conclusion"] for c in github.check_runs()] == ["failure"]
    assert "could not be merged" in result.summary
    # Every target is still shown: the broken file as an error section, the others as judged.
    assert "### 💥 autosana-results/autosana-evil/autosana-results.json" in result.summary
    assert "### ✅ android" in result.summary


def test_an_oversized_file_is_refused_by_its_size(wf: Workflow) -> None:
    wf.job("android")
    huge = wf.merge_dir / "autosana-results" / "autosana-huge" / RESULTS_FILE
    huge.parent.mkdir(parents=True)
    with huge.open("w") as fh:
        fh.write('{"pad": "')
        fh.write("x" * (33 * 1024 * 1024))
        fh.write('"}')
    result = wf.merge()
    assert result.returncode == 2
    assert any("autosana-huge/autosana-results.json is 35 MB" in e for e in result.commands("error"))


@pytest.mark.parametrize(
    ("result", "fail_on", "code", "conclusion", "level"),
    [
        (Result.SKIPPED, "failed,error,terminated,skipped", 0, "success", "info"),
        (Result.UPLOADED, "failed,error,terminated,skipped", 0, "neutral", "info"),
        (Result.ERROR, "none", 1, "failure", "error"),
    ],
)
def test_the_merge_log_level_exit_and_conclusion_agree(
    wf: Workflow,
    github: FakeGitHub,
    pr_event: dict[str, Any],
    result: Result,
    fail_on: str,
    code: int,
    conclusion: str,
    level: str,
) -> None:
    report = Report(result=result, headline=f"A {result.value} job")
    path = wf.merge_dir / "autosana-results" / "autosana-one" / RESULTS_FILE
    job = JobFacts(name="autosana", head_sha=pr_event["pull_request"]["head"]["sha"])
    write_results(report, path, TargetFacts(name="one"), job, redactor=Redactor())
    merged = wf.merge(fail_on=fail_on)

    assert merged.returncode == code and merged.outputs["result"] == result.value
    assert [c["conclusion"] for c in github.check_runs()] == [conclusion]
    line = last_line(merged.stdout)
    assert line.startswith("::error::") == (level == "error")
    assert not line.startswith("::warning::")
    if result is Result.SKIPPED:
        assert "0 of 1 targets passed" not in merged.stdout and "No target failed (1 skipped)" in line


def test_verified_merge_builds_sections_from_autosana(wf: Workflow, github: FakeGitHub) -> None:
    wf.job("android")
    wf.job("web")
    # A forged file: the failing web target claims to have passed, with its runs rewritten too.
    data = json.loads(wf.artifact("web").read_text())
    for group in data["run_groups"]:
        group["status"] = "passed"
        for run in group["runs"]:
            run["status"] = "passed"
    data.update(result="passed", headline="forged")
    wf.artifact("web").write_text(json.dumps(data))

    unverified = wf.merge()
    assert unverified.returncode == 0  # nothing in the file itself gives it away
    verified = wf.merge(api_key=API_KEY, api_url=wf.sim.url)

    assert verified.returncode == 1 and verified.outputs["result"] == "error", verified.stdout[-3000:]
    assert "Verified with Autosana" in verified.summary
    assert "autosana-web/autosana-results.json: it says passed, but Autosana says failed" in verified.summary
    assert github.check_runs()[-1]["conclusion"] == "failure"
    statuses = [c for c in wf.sim.calls("/api/v1/runs/status")]
    assert len(statuses) >= 2


def test_verified_merge_refuses_unknown_batches_and_other_commits(wf: Workflow) -> None:
    wf.job("android")
    wf.job("ios", commit_sha="1234567890abcdef1234567890abcdef12345678")
    other_batch = json.loads(wf.artifact("ios").read_text())["batch_id"]
    shutil.rmtree(wf.artifact("ios").parent)
    edit(wf.artifact("android"), batch_id=other_batch)
    result = wf.merge(api_key=API_KEY, api_url=wf.sim.url)
    assert result.returncode == 1 and "ran for commit 1234567890ab" in result.summary

    edit(wf.artifact("android"), batch_id="no-such-batch")
    result = wf.merge(api_key=API_KEY, api_url=wf.sim.url)
    assert result.returncode == 1 and "Autosana could not confirm batch no-such-batch" in result.summary


def test_a_genuine_verified_merge_passes(wf: Workflow) -> None:
    wf.job("android")
    wf.job("ios")
    result = wf.merge(api_key=API_KEY, api_url=wf.sim.url)
    assert result.returncode == 0 and result.outputs["result"] == "passed"
    assert "Verified with Autosana" in result.summary


def test_a_forks_skipped_matrix_merges_as_skipped_fork(sim: AutosanaSimulator, tmp_path: Path) -> None:
    event = fork_pull_request()
    merge_dir = tmp_path / "merge"
    for name in ("android", "ios"):
        workdir = tmp_path / name
        workdir.mkdir()
        env = _env(
            workdir, event, {"api-key": "", "on-fork": "skip", "target-name": name, "api-url": sim.url, **MATRIX[name]}
        )
        assert ActionRun(env).main() == 0
        artifact = merge_dir / "autosana-results" / f"autosana-{name}"
        artifact.mkdir(parents=True)
        shutil.copy(workdir / RESULTS_FILE, artifact / RESULTS_FILE)
        assert json.loads((workdir / RESULTS_FILE).read_text())["result"] == "skipped_fork"
    env = _env(merge_dir, event, {"results": "autosana-results/*/autosana-results.json"})
    assert ActionRun(env).main() == 0
    assert "result<<" in (merge_dir / "output").read_text() and "skipped_fork" in (merge_dir / "output").read_text()
    assert sim.requests == []


def test_inputs_meaningless_in_a_merge_are_input_errors(wf: Workflow) -> None:
    wf.job("android")
    result = wf.merge(platform="ios", wait="false")
    assert result.returncode == 2
    errors = " ".join(result.commands("error"))
    assert "platform" in errors and "wait" in errors


def test_a_crash_in_a_merge_still_completes_the_check(
    wf: Workflow,
    github: FakeGitHub,
    pr_event: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Whatever breaks (here: reading the files raises), the check completes as a failure and
    result=error is written, as in a single job; the crash note and traceback are redacted."""
    wf.job("android")
    secret = "disk-on-fire-S3CRET"

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"disk on fire near {secret}")

    monkeypatch.setattr("autosana_action.merge.flow.collect", broken)
    env = _env(wf.merge_dir, pr_event, {"results": "autosana-results/*/autosana-results.json", "redact": secret})
    env["GITHUB_API_URL"] = github.url
    assert ActionRun(env).main() == 1
    output = (wf.merge_dir / "output").read_text()
    assert "result<<" in output and "\nerror\n" in output
    (check,) = github.check_runs()
    assert check["conclusion"] == "failure"
    summary = (wf.merge_dir / "summary").read_text()
    assert "RuntimeError: disk on fire near" in summary
    out, err = capfd.readouterr()
    log = "\n".join(line for line in out.splitlines() if not line.startswith("::add-mask::"))
    assert secret not in summary + log + err + json.dumps(check) and "Traceback" in err


def _env(workdir: Path, event: dict[str, Any], inputs: dict[str, str]) -> dict[str, str]:
    runner = ActionRunner(workdir, "pull_request", event)
    workdir.mkdir(parents=True, exist_ok=True)
    return runner.env(inputs)


def test_a_merge_that_knows_no_commit_refuses(wf: Workflow) -> None:
    wf.job("android")
    runner = ActionRunner(wf.merge_dir, "workflow_dispatch", {}, github_api_url=wf.github.url)
    runner.extra_env["GITHUB_SHA"] = ""
    result = runner.run({"results": "autosana-results/*/autosana-results.json"})
    assert result.returncode == 2
    assert any("does not know which commit" in e for e in result.commands("error"))


def test_a_verified_green_claim_without_a_batch_is_an_error(wf: Workflow) -> None:
    wf.job("android")
    edit(wf.artifact("android"), result="skipped", batch_id=None, run_groups=[], is_complete=None)
    assert wf.merge().returncode == 0  # unverified, the file is believed (and the report says so)
    result = wf.merge(api_key=API_KEY, api_url=wf.sim.url)
    assert result.returncode == 1 and "names no batch, so it cannot be verified" in result.summary


def test_a_verified_merge_refuses_files_that_say_a_fork_was_skipped(sim: AutosanaSimulator, tmp_path: Path) -> None:
    merge_dir = tmp_path / "merge"
    path = merge_dir / "autosana-results" / "autosana-android" / RESULTS_FILE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"schema_version": 1, "result": "skipped_fork", "target": {"name": "android"}}))
    runner = ActionRunner(merge_dir, "pull_request", fork_pull_request())
    result = runner.run({"results": "autosana-results/*/autosana-results.json", "api-key": API_KEY, "api-url": sim.url})
    assert result.returncode == 2 and result.outputs["result"] == "error"
    assert any("nothing can be verified" in e for e in result.commands("error"))
