"""The check run is always completed: when every PATCH of the one we started fails, a new check
run of the same name is created completed, with the final result, and the log says so. Against
fake GitHub refusing PATCH, over real HTTP."""

from __future__ import annotations

from action_harness import ActionRunner
from conftest import base_inputs
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator

PATCH = "/repos/{owner}/{repo}/check-runs/{check_run_id}"


def test_a_refused_patch_gets_a_completed_check_run_instead(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("PATCH", PATCH, 403)
    result = runner.run(base_inputs(sim))

    assert result.returncode == 0, result.stdout + result.stderr
    started, replacement = github.check_runs()
    assert started["status"] == "in_progress"
    assert replacement["status"] == "completed" and replacement["conclusion"] == "success"
    assert replacement["name"] == started["name"] and replacement["head_sha"] == started["head_sha"]
    assert any("creating a new, completed check run" in w for w in result.commands("warning"))
    assert result.outputs["check-run-url"] == replacement["html_url"]


def test_a_patch_storm_past_the_retries_gets_a_completed_check_run(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    github.refuse("PATCH", PATCH, 502)
    result = runner.run(base_inputs(sim, suite_ids="aaaaaaaa-0000-4000-8000-000000000002"))

    assert result.returncode == 1
    assert [(c["status"], c["conclusion"]) for c in github.check_runs()] == [
        ("in_progress", None),
        ("completed", "failure"),
    ]
