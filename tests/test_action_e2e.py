"""The action end to end: entrypoint.py as a subprocess with the runner's environment, against
the Autosana simulator over real HTTP."""

from __future__ import annotations

import math
import re
import signal
import time
from typing import Any

import pytest
from action_harness import ActionRunner, workflow_commands
from conftest import API_KEY, CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_sim import AutosanaSimulator, FlowPlan

ODD = "bbbbbbbb-0000-4000-8000-000000000009"


def trigger_body(sim: AutosanaSimulator) -> Any:
    (call,) = sim.calls("/api/v1/flows/run")
    return call.body


def test_passing_batch_on_a_pull_request(
    sim: AutosanaSimulator, runner: ActionRunner, pr_event: dict[str, Any]
) -> None:
    result = runner.run(base_inputs(sim))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["result"] == "passed"
    assert result.outputs["total-flows"] == "2" and result.outputs["passed-flows"] == "2"
    assert result.outputs["failed-flows"] == "0" and result.outputs["skipped-flows"] == "0"
    assert result.outputs["batch-id"] in sim.batches
    pr = pr_event["pull_request"]
    assert trigger_body(sim) == {
        "bundle_id": "com.company.app",
        "platform": "android",
        "suite_ids": [LOGIN],
        "variables": {"PR_NUMBER": str(pr["number"]), "BRANCH": pr["head"]["ref"], "COMMIT_SHA": pr["head"]["sha"]},
        "run_changed_flows": True,
        "repo_full_name": pr_event["repository"]["full_name"],
        "ref": pr["head"]["sha"],
        "pr_number": pr["number"],
        "report_to_github": False,
        "ci": {"workflow_run_id": "4242", "workflow_run_attempt": "1", "publish_check": False},
    }
    assert all(call.headers["X-API-Key"] == API_KEY for call in sim.requests)
    assert "## ✅ Autosana: 2 passed" in result.summary
    assert "[Login with valid credentials](https://autosana.ai/runs/flow/" in result.summary
    assert pr["head"]["sha"][:12] in result.summary


def test_api_key_is_masked_before_anything_else(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, variables="API_TOKEN=tok-9f8e7d6c,DB_PASSWORD=pa55-w0rd-x,NAME=visible"))

    first_line = result.stdout.splitlines()[0]
    assert first_line == f"::add-mask::{API_KEY}"
    assert set(result.commands("add-mask")) >= {API_KEY, "tok-9f8e7d6c", "pa55-w0rd-x"}
    assert "visible" not in result.commands("add-mask")
    for secret in (API_KEY, "tok-9f8e7d6c", "pa55-w0rd-x"):
        assert result.stdout.count(secret) == 1, secret  # only in its add-mask line
        assert secret not in result.summary


def test_failed_flow_fails_the_step_and_points_at_the_run(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}"))

    assert result.returncode == 1
    assert result.outputs["result"] == "failed"
    assert (result.outputs["passed-flows"], result.outputs["failed-flows"]) == ("3", "1")
    errors = [c for c in re.findall(r"^::error (?:title=([^:]*))?::(.*)$", result.stdout, re.M)]
    titled = [e for e in errors if e[0]]
    assert len(titled) == 1
    title, message = titled[0]
    assert title == "Checkout Suite › Checkout with expired card"
    assert "No error message after tapping Pay." in message and "https://autosana.ai/runs/flow/" in message
    summary = result.summary
    assert summary.index("Checkout with expired card") < summary.index("Checkout with saved card")
    assert summary.index("Checkout Suite") < summary.index("Login Suite")


def test_each_run_is_printed_once_as_it_finishes(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}"))
    live = result.stdout.split("::group::All 4 runs")[0]
    for name in ("Login with valid credentials", "Checkout with expired card"):
        assert live.count(f"› {name}") == 1


@pytest.mark.parametrize(
    ("statuses", "fail_on", "result", "code"),
    [
        (["passed", "error"], None, "failed", 1),
        (["passed", "terminated"], None, "failed", 1),
        (["passed", "weird-new-status"], None, "failed", 1),
        (["skipped", "skipped"], None, "failed", 1),
        (["skipped", "skipped"], "failed,error,terminated", "passed", 0),
        (["passed", "skipped"], "failed,skipped", "failed", 1),
        (["passed", "failed"], "none", "failed", 0),
        (["passed", "error"], "failed", "passed", 0),
    ],
)
def test_status_mixes(
    sim: AutosanaSimulator, runner: ActionRunner, statuses: list[str], fail_on: str | None, result: str, code: int
) -> None:
    sim.plan(ODD, "Mixed", *(FlowPlan(f"flow {i}", s, 0.1 * (i + 1), f"ended {s}") for i, s in enumerate(statuses)))
    inputs = base_inputs(sim, suite_ids=ODD)
    if fail_on:
        inputs["fail-on"] = fail_on
    outcome = runner.run(inputs)
    assert (outcome.outputs["result"], outcome.returncode) == (result, code), outcome.stdout


def test_all_skipped_is_green_only_when_skips_are_allowed(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.plan(ODD, "Skips", FlowPlan("a", "skipped", 0.1), FlowPlan("b", "skipped", 0.1))
    result = runner.run(base_inputs(sim, suite_ids=ODD, fail_on="failed,error,terminated"))
    assert result.returncode == 0
    assert "All 2 flows were skipped" in result.summary and "All 2 flows were skipped" in result.stdout


def test_empty_batch_is_never_green(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.plan(ODD, "Nothing here")
    result = runner.run(base_inputs(sim, suite_ids=ODD))
    assert result.returncode == 1
    assert result.outputs["result"] == "no_flows" and result.outputs["total-flows"] == "0"
    assert "No flows ran" in result.summary


def test_counters_that_do_not_add_up_are_never_green(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.summary_override = {"passed_flows": 7, "total_flows": 7}
    result = runner.run(base_inputs(sim))
    assert result.returncode == 1
    assert result.outputs["result"] == "failed"
    assert "counters do not add up" in result.summary
    assert "the summary counts 7 flows but 2 runs are listed" in result.summary


def test_user_variables_win_over_pr_variables(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    runner.run(base_inputs(sim, variables="BRANCH=release\nEXTRA=a,b"))
    variables = trigger_body(sim)["variables"]
    assert variables["BRANCH"] == "release" and variables["EXTRA"] == "a,b" and "PR_NUMBER" in variables


def test_pr_variables_can_be_turned_off(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    runner.run(base_inputs(sim, pr_variables="false"))
    assert "variables" not in trigger_body(sim)


def test_push_event_variables(sim: AutosanaSimulator, tmp_path: Any, github: FakeGitHub) -> None:
    event = webhook_example("push", predicate=lambda p: p["ref"].startswith("refs/heads/"))
    runner = ActionRunner(tmp_path, "push", event, github_api_url=github.url)
    runner.run(base_inputs(sim))
    variables = trigger_body(sim)["variables"]
    assert variables["COMMIT_SHA"] == event["after"]
    assert variables["BRANCH"] == event["ref"].removeprefix("refs/heads/")
    assert "PR_NUMBER" not in variables


def test_web_app_with_browser_alias_and_flows(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    flow = "cccccccc-0000-4000-8000-000000000001"
    suite = "cccccccc-0000-4000-8000-000000000002"
    inputs = base_inputs(
        sim,
        bundle_id="",
        platform="",
        app_id="shop-web",
        web_browser="Microsoft Edge",
        suite_ids="",
        flow_ids=flow,
        suite_overrides=f'{{"{flow}": "{suite}"}}',
        pr_variables="false",
    )
    result = runner.run(inputs)
    assert result.returncode == 0, result.stdout
    body = trigger_body(sim)
    assert {k: v for k, v in body.items() if k not in ("repo_full_name", "ref", "pr_number", "ci")} == {
        "app_id": "shop-web",
        "web_browser": "edge",
        "flow_ids": [flow],
        "resolve_suite_context": True,
        "suite_overrides": {flow: suite},
        "run_changed_flows": True,
        "report_to_github": False,
    }


def test_wait_false_only_triggers(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, wait="false"))
    assert result.returncode == 0
    assert result.outputs["result"] == "triggered" and result.outputs["batch-id"] in sim.batches
    assert sim.calls("/api/v1/runs/status") == []
    assert "not waiting for results" in result.summary


def test_invalid_input_makes_no_request(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, poll_interval="soon"))
    assert result.returncode == 2
    errors = result.commands("error")
    assert len(errors) == 1
    assert "Input 'poll-interval': 'soon' is not a number" in errors[0]
    assert "::error title=Invalid input%3A poll-interval::" in result.stdout
    assert sim.requests == []
    assert result.outputs == {}


def test_missing_target_and_ids_are_all_reported(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, bundle_id="", platform="", suite_ids="", run_changed_flows="false"))
    assert result.returncode == 2
    assert len(result.commands("error")) == 2
    assert sim.requests == []


def test_hostile_text_stays_inert(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    hostile = [
        FlowPlan("::error::pwned", "failed", 0.1, "line one\n::set-output name=result::passed\n##[error]legacy"),
        FlowPlan("<img src=x onerror=alert(1)> @octocat #1", "passed", 0.1, "| broken | table |\n\n# heading"),
        FlowPlan("```", "failed", 0.2, "<!-- swallow the rest"),
    ]
    sim.plan(ODD, "::warning::group @org/team", *hostile)
    result = runner.run(base_inputs(sim, suite_ids=ODD))

    names = {name for name, _ in workflow_commands(result.stdout)}
    assert names <= {"add-mask", "stop-commands", "group", "endgroup", "error", "warning", "notice"}, names
    # The hostile text is only ever the data of our own annotations, one per failed run, whose
    # titles are escaped; nothing else the runner acts on carries it.
    errors = result.commands("error")
    assert [e.split("%0A")[0] for e in errors] == [
        "failed: line one ::set-output name=result::passed ##[error]legacy",
        "failed: <!-- swallow the rest",
        "Autosana: 1 passed, 2 failed",
    ]
    assert (
        sum("::error title=%3A%3Awarning%3A%3Agroup @org/team › " in line for line in result.stdout.splitlines()) == 2
    )
    others = result.commands("warning") + result.commands("notice") + result.commands("group")
    assert not [c for c in others if "pwned" in c or "legacy" in c or "@org" in c]
    for line in result.stdout.splitlines():
        if "pwned" in line or "legacy" in line:
            assert line.startswith(("::error title=", "\u200b", " ", "❌")) or "::stop-commands" in line, line
    summary = result.summary
    assert "<img" not in summary and "<!--" not in summary and "```" not in summary
    assert "@octocat" not in summary and "@org" not in summary and "#1" not in summary
    rows = [line for line in summary.splitlines() if line.startswith("| ") and "flow/" in line]
    assert len(rows) == 3
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 4 for row in rows)


def test_untrusted_lines_are_printed_inside_stop_commands(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.plan(ODD, "G", FlowPlan("::error::pwned", "passed", 0.1, "::error::also pwned"))
    result = runner.run(base_inputs(sim, suite_ids=ODD))
    assert not any("pwned" in c for c in result.commands("error"))
    assert result.returncode == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cancellation_still_reports(sim: AutosanaSimulator, runner: ActionRunner, sig: signal.Signals) -> None:
    sim.plan(ODD, "Slow", FlowPlan("never ends", "passed", math.inf), FlowPlan("quick", "passed", 0.05, "ok"))
    proc = runner.start(base_inputs(sim, suite_ids=ODD))
    batch_id = runner.wait_for_output("batch-id", proc)
    # Cancel once the action has read a status showing the quick flow finished: the report must
    # keep what it saw. Polls are sequential, so a second request after that point means the
    # first answer was read (an answer still in flight would be cut off by the signal).
    while len([c for c in sim.calls("/api/v1/runs/status") if c.at > sim.batches[batch_id].created + 0.2]) < 2:
        assert proc.poll() is None
        time.sleep(0.05)
    runner.interrupt(proc, sig)
    result = runner.finish(proc, timeout=10)
    assert result.returncode == 1
    assert result.outputs["result"] == "cancelled" and result.outputs["batch-id"] == batch_id
    assert (result.outputs["total-flows"], result.outputs["passed-flows"]) == ("2", "1")
    assert "Cancelled" in result.summary and batch_id in result.summary


def test_timeout_reports_progress(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.plan(ODD, "Slow", FlowPlan("never ends", "passed", math.inf), FlowPlan("quick", "passed", 0.05, "ok"))
    result = runner.run(base_inputs(sim, suite_ids=ODD, timeout_minutes="0.01"))
    assert result.returncode == 1
    assert result.outputs["result"] == "timed_out"
    assert result.outputs["passed-flows"] == "1" and result.outputs["total-flows"] == "2"
    assert "Timed out after 0.01 min with 1 of 2 flows finished" in result.summary
    assert "raise timeout-minutes" in result.summary
