"""One table from result to exit status, check conclusion and log level: the unit table over
every result and fail-on setting, then end to end, where the step, the check run and the log
must tell the same story."""

from __future__ import annotations

import io
from typing import Any

import pytest
from action_harness import ActionRunner, parse_outputs
from conftest import CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub

from autosana_action.action import ActionRun
from autosana_action.github.publisher import GitHubPublisher, conclusion_for
from autosana_action.outcome import TABLE, outcome_for
from autosana_action.report.render import Report
from autosana_action.settings import parse_settings
from autosana_action.verdict import Result
from autosana_sim import AutosanaSimulator, Fault

EMPTY = "eeeeeeee-0000-4000-8000-00000000000e"

# (result, fail-on lists statuses): (exit status, check conclusion, headline level)
EXPECTED = {
    (Result.PASSED, True): (0, "success", "info"),
    (Result.PASSED, False): (0, "success", "info"),
    (Result.TRIGGERED, True): (0, "neutral", "info"),
    (Result.TRIGGERED, False): (0, "neutral", "info"),
    (Result.SKIPPED, True): (0, "success", "info"),
    (Result.SKIPPED, False): (0, "success", "info"),
    (Result.UPLOADED, True): (0, "neutral", "info"),
    (Result.UPLOADED, False): (0, "neutral", "info"),
    (Result.FAILED, True): (1, "failure", "error"),
    (Result.FAILED, False): (0, "neutral", "warning"),
    (Result.NO_FLOWS, True): (1, "failure", "error"),
    (Result.NO_FLOWS, False): (0, "neutral", "warning"),
    (Result.TIMED_OUT, True): (1, "timed_out", "error"),
    (Result.TIMED_OUT, False): (1, "timed_out", "error"),
    (Result.CANCELLED, True): (1, "cancelled", "error"),
    (Result.CANCELLED, False): (1, "cancelled", "error"),
    (Result.ERROR, True): (1, "failure", "error"),
    (Result.ERROR, False): (1, "failure", "error"),
}


def test_every_result_and_fail_on_setting_has_a_row() -> None:
    assert set(EXPECTED) == {(r, f) for r in Result for f in (True, False)} == set(TABLE)


@pytest.mark.parametrize(("result", "fail_on_results"), sorted(EXPECTED))
def test_outcome_table(result: Result, fail_on_results: bool) -> None:
    outcome = outcome_for(result, fail_on_results)
    assert (outcome.exit_code, outcome.conclusion, outcome.level) == EXPECTED[(result, fail_on_results)]
    # Fail closed: a step that fails never has a check that merges, and a green check never
    # hides a failing step.
    assert (outcome.conclusion == "success") <= (outcome.exit_code == 0)
    assert (outcome.exit_code != 0) == (outcome.conclusion in ("failure", "timed_out", "cancelled"))
    assert (outcome.level == "error") == (outcome.exit_code != 0)


@pytest.mark.parametrize(("result", "fail_on_results"), sorted(EXPECTED))
def test_the_check_run_uses_the_table(result: Result, fail_on_results: bool) -> None:
    settings = parse_settings(
        {"api-key": "k", "app-id": "web", "suite-ids": LOGIN, "fail-on": "failed" if fail_on_results else "none"}
    )
    report = Report(result=result, headline="h", check_name="Autosana", app="web")
    assert conclusion_for(report, settings) == EXPECTED[(result, fail_on_results)][1]


@pytest.mark.parametrize(("status", "code"), [(401, 2), (404, 2), (422, 2), (400, 2), (503, 1), (None, 1)])
def test_a_refused_trigger_exits_as_bad_input(status: int | None, code: int) -> None:
    assert outcome_for(Result.ERROR, True, refused_status=status).exit_code == code
    assert outcome_for(Result.ERROR, False, refused_status=status).exit_code == code


def test_fail_on_none_still_fails_an_api_error_and_says_so_everywhere(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    sim.faults = [Fault("status", "/api/v1/runs/status", 401, body={"detail": "API key revoked"})]
    result = runner.run(base_inputs(sim, fail_on="none"))
    assert result.returncode == 1
    assert result.outputs["result"] == "error"
    # No status ever arrived, so the check run is created completed, in one go.
    assert [(r["status"], r["conclusion"]) for r in github.check_runs()] == [("completed", "failure")]
    assert any("Stopped polling" in e for e in result.commands("error"))


@pytest.mark.parametrize(("fail_on", "code", "conclusion"), [("none", 0, "neutral"), (None, 1, "failure")])
def test_failed_and_empty_batches_agree_with_the_check(
    sim: AutosanaSimulator,
    runner: ActionRunner,
    github: FakeGitHub,
    fail_on: str | None,
    code: int,
    conclusion: str,
) -> None:
    sim.plan(EMPTY, "Nothing here")
    for suite in (CHECKOUT, EMPTY):
        inputs = base_inputs(sim, suite_ids=suite)
        if fail_on:
            inputs["fail-on"] = fail_on
        result = runner.run(inputs)
        assert result.returncode == code, result.stdout
        assert github.check_runs()[-1]["conclusion"] == conclusion
        headline = [c for c in result.commands("error" if code else "warning") if c.startswith("Autosana: ")]
        assert len(headline) == 1, result.stdout


class _BrokenAfterPolling(ActionRun):
    """A bug of ours after the flows started, standing in for any unexpected exception."""

    def _explain(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError("a bug in our code")


def test_an_unexpected_error_after_the_trigger_still_completes_the_check(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    env = runner.env(base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}"))
    out = io.StringIO()
    code = _BrokenAfterPolling(env, stdout=out).main()
    assert code == 1
    runs = github.check_runs()
    assert [(r["status"], r["conclusion"]) for r in runs] == [("completed", "failure")]
    assert "unexpected error" in runs[0]["output"]["title"] + runs[0]["output"]["summary"]
    outputs = runner_outputs(runner)
    assert outputs["result"] == "error" and outputs["batch-id"] in sim.batches
    assert outputs["total-flows"] == "4", "what ran is still reported"
    summary = (runner.workdir / "summary").read_text()
    assert "unexpected error" in summary and "RuntimeError: a bug in our code" in summary
    assert "::error::Autosana: The action stopped on an unexpected error" in out.getvalue()


def test_an_unwritable_job_summary_still_completes_the_check(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    (runner.workdir / "summary-dir").mkdir()
    runner.extra_env["GITHUB_STEP_SUMMARY"] = str(runner.workdir / "summary-dir")
    result = runner.run(base_inputs(sim))
    assert result.returncode == 1
    assert result.outputs["result"] == "error" and result.outputs["batch-id"]
    assert [(r["status"], r["conclusion"]) for r in github.check_runs()] == [("completed", "failure")]
    assert "IsADirectoryError" in result.stderr


def runner_outputs(runner: ActionRunner) -> dict[str, str]:
    return parse_outputs((runner.workdir / "output").read_text())


def test_the_publisher_exists_before_the_trigger(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    env = runner.env(base_inputs(sim, api_key="wrong-key-value"))
    action = ActionRun(env, stdout=io.StringIO())
    assert action.main() == 2
    assert isinstance(action.publisher, GitHubPublisher)
