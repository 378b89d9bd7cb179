"""What Autosana's own action (autosana-ci) does, end to end: entrypoint.py as a subprocess
against the simulator over real HTTP, with the fake GitHub. Its verdict (setup and teardown
failures, retries, cancelled or empty groups), changed flows and the skipped no-op, flow and
suite keys, the commit the flows resolve from, devices, partial dispatch and batch links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionResult, ActionRunner
from conftest import LOGIN, base_inputs
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_sim import AutosanaSimulator, Fault, FlowPlan, GroupPlan

SMOKE = "dddddddd-0000-4000-8000-000000000001"
OTHER = "dddddddd-0000-4000-8000-000000000002"
HEAD = "0123456789abcdef0123456789abcdef01234567"


def body_of(sim: AutosanaSimulator) -> Any:
    (call,) = sim.calls("/api/v1/flows/run")
    return call.body


def unescaped(markdown: str) -> str:
    return markdown.replace("\\", "").replace("\u200b", "")


def plan_group(sim: AutosanaSimulator, status: str | None, *flows: FlowPlan) -> None:
    sim.plans[SMOKE] = GroupPlan("Smoke Tests", list(flows), status)


def check_of(github: FakeGitHub) -> dict[str, Any]:
    (run,) = github.check_runs()
    return run


def pr_comment(github: FakeGitHub, event: dict[str, Any]) -> str:
    comments = github.comments(event["repository"]["full_name"], event["pull_request"]["number"])
    (ours,) = [c for c in comments if c["user"]["type"] == "Bot"]
    return str(ours["body"])


# -- verdict ------------------------------------------------------------------------------------


def test_setup_failure_fails_and_every_report_says_so(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan_group(sim, "error", FlowPlan("Login Flow", "skipped", 0.05), FlowPlan("Checkout Flow", "skipped", 0.1))
    result = runner.run(base_inputs(sim, suite_ids=SMOKE))

    assert result.returncode == 1, result.stdout
    assert result.outputs["result"] == "failed" and result.outputs["skipped-flows"] == "2"
    # The cause is said in a note under the short title ("2 of 2 flows did not pass").
    said = "Setup failed in group 'Smoke Tests': 2 flow(s) were skipped without a passing retry"
    assert said in unescaped(result.summary) and "counters" not in unescaped(result.summary)
    assert "· 2 skipped · group error" in result.summary and "<details><summary>💥 Smoke" not in result.summary
    check = check_of(github)
    assert check["conclusion"] == "failure" and check["output"]["title"] == "2 of 2 flows did not pass"
    assert said in unescaped(check["output"]["summary"])
    assert said in unescaped(pr_comment(github, pr_event))


def test_setup_failure_passes_when_skipped_is_left_out_of_fail_on(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    plan_group(sim, "error", FlowPlan("Login Flow", "skipped", 0.05), FlowPlan("Checkout Flow", "skipped", 0.1))
    result = runner.run(base_inputs(sim, suite_ids=SMOKE, fail_on="failed,error,terminated"))
    assert result.returncode == 0 and result.outputs["result"] == "passed"


def test_teardown_failure_is_green_with_a_warning_naming_the_group(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan_group(sim, "error", FlowPlan("Login Flow", "passed", 0.05), FlowPlan("Signup Flow", "passed", 0.1))
    result = runner.run(base_inputs(sim, suite_ids=SMOKE))

    assert result.returncode == 0, result.stdout
    assert result.outputs["result"] == "passed"
    (warning,) = [w for w in result.commands("warning") if "teardown" in w]
    assert "'Smoke Tests'" in warning
    assert "teardown failed in 'Smoke Tests'" in unescaped(result.summary) and "⚠️" in unescaped(result.summary)
    check = check_of(github)
    assert check["conclusion"] == "success" and "teardown failed in 'Smoke Tests'" in check["output"]["title"]
    assert "teardown or clean-up failed" in pr_comment(github, pr_event)


def test_a_passing_retry_of_a_skipped_attempt_is_a_pass(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    plan_group(
        sim,
        None,
        FlowPlan("Login Flow", "skipped", 0.05),
        FlowPlan("Login Flow", "passed", 0.15, "Retried and passed."),
        FlowPlan("Checkout Flow", "passed", 0.1),
    )
    result = runner.run(base_inputs(sim, suite_ids=SMOKE))
    assert result.returncode == 0, result.stdout
    assert result.outputs["passed-flows"] == "2" and result.outputs["skipped-flows"] == "0"
    assert "2 passed (1 after a retry)" in unescaped(result.summary)


@pytest.mark.parametrize(
    ("status", "flows", "said"),
    [
        ("terminated", [FlowPlan("Login Flow", "passed", 0.05)], "was terminated"),
        ("error", [], "without running any flow"),
    ],
)
def test_cancelled_or_empty_groups_fail(
    sim: AutosanaSimulator, runner: ActionRunner, status: str, flows: list[FlowPlan], said: str
) -> None:
    plan_group(sim, status, *flows)
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{SMOKE}"))
    assert result.returncode == 1, result.stdout
    assert result.outputs["result"] == "failed" and said in unescaped(result.summary)


# -- changed flows and the no-op ----------------------------------------------------------------


def test_changed_flows_run_without_selectors(
    sim: AutosanaSimulator, runner: ActionRunner, pr_event: dict[str, Any]
) -> None:
    head = pr_event["pull_request"]["head"]["sha"]
    sim.changed_flows[head] = {"auth/login": FlowPlan("Login (edited in this PR)", "passed", 0.1, "ok")}
    result = runner.run(base_inputs(sim, suite_ids=""))

    assert result.returncode == 0, result.stdout
    body = body_of(sim)
    assert body["run_changed_flows"] is True and body["ref"] == head
    assert not {"suite_ids", "flow_ids", "labels", "flow_keys", "suite_keys"} & set(body)
    assert "Login (edited in this PR)" in unescaped(result.summary)


def test_explicit_keys_and_changed_flows_share_one_request(
    sim: AutosanaSimulator, runner: ActionRunner, pr_event: dict[str, Any]
) -> None:
    head = pr_event["pull_request"]["head"]["sha"]
    sim.changed_flows[head] = {"auth/login": FlowPlan("Login", "passed", 0.1), "cart": FlowPlan("Cart", "passed", 0.1)}
    result = runner.run(base_inputs(sim, suite_ids="", flow_keys="auth/login, checkout flow", suite_keys="smoke"))

    assert result.returncode == 0, result.stdout
    body = body_of(sim)
    assert body["flow_keys"] == ["auth/login", "checkout flow"] and body["suite_keys"] == ["smoke"]
    assert not {"suite_ids", "flow_ids", "labels"} & set(body)
    assert "Cart" in unescaped(result.summary)


def test_nothing_changed_is_a_green_skip_without_polling(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    head = pr_event["pull_request"]["head"]["sha"]
    sim.changed_flows[head] = {}
    result = runner.run(base_inputs(sim, suite_ids=""))

    assert result.returncode == 0, result.stdout
    assert result.outputs["result"] == "skipped" and "batch-id" not in result.outputs
    assert sim.calls("/api/v1/runs/status") == []
    reason = f"No code-managed flows changed in pull request #{pr_event['pull_request']['number']}."
    assert f"Skipped: {reason}" in unescaped(result.summary)
    check = check_of(github)
    assert check["conclusion"] == "success" and check["output"]["title"] == f"Skipped: {reason}"


def test_a_zero_flow_answer_without_the_skipped_marker_fails(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults = [Fault("status", "/api/v1/flows/run", 200, body={"batch_id": None, "flow_run_count": 0})]
    result = runner.run(base_inputs(sim))
    assert result.returncode == 1
    assert result.outputs["result"] == "error"
    assert "Autosana started no batch" in unescaped(result.summary) and "no skipped marker" in unescaped(result.summary)


# -- partial dispatch and links -------------------------------------------------------------------


def test_partial_dispatch_waits_for_what_was_submitted_then_fails(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.rejected = {OTHER: "Flow is archived", SMOKE: "Suite has no flows for android"}
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{SMOKE}", flow_ids=OTHER))

    assert result.returncode == 1, result.stdout
    assert sim.calls("/api/v1/runs/status")
    assert result.outputs["passed-flows"] == "2"
    assert "2 requested test submission(s) failed" in unescaped(result.summary)
    assert f"{OTHER}: Flow is archived" in unescaped(result.summary)
    assert f"{SMOKE}: Suite has no flows for android" in unescaped(result.summary)
    assert len([e for e in result.commands("error") if "Flow is archived" in e]) == 1


def test_partial_dispatch_with_wait_false_fails_at_once(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.rejected = {OTHER: "Flow is archived"}
    result = runner.run(base_inputs(sim, flow_ids=OTHER, wait="false"))
    assert result.returncode == 1
    assert sim.calls("/api/v1/runs/status") == []
    assert "1 requested test submission(s) failed" in unescaped(result.summary)


def test_partial_dispatch_fails_the_check_too_even_with_fail_on_none(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    sim.rejected = {OTHER: "Flow is archived"}
    result = runner.run(base_inputs(sim, suite_ids=LOGIN, flow_ids=OTHER, fail_on="none"))

    assert result.returncode == 1
    assert result.outputs["result"] == "error"
    assert github.check_runs()[-1]["conclusion"] == "failure"


def test_batch_url_is_an_output_and_a_link(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim))
    url = f"https://autosana.ai/runs/batches/{result.outputs['batch-id']}"
    assert result.outputs["batch-url"] == url
    assert f"[results on Autosana]({url})" in result.summary


# -- what flows/run carries ----------------------------------------------------------------------


def test_ci_context_and_report_to_github_when_not_waiting(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    runner.extra_env["GITHUB_JOB"] = "e2e"
    runner.run(base_inputs(sim, wait="false"))
    body = body_of(sim)
    assert body["ci"] == {"workflow_run_id": "4242", "workflow_run_attempt": "1", "job": "e2e", "publish_check": True}
    assert body["report_to_github"] is True


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [({}, False), ({"comment-mode": "off"}, True), ({"report-to-github": "true"}, True)],
)
def test_report_to_github_only_when_we_do_not_comment(
    sim: AutosanaSimulator, runner: ActionRunner, inputs: dict[str, str], expected: bool
) -> None:
    runner.run({**base_inputs(sim), **inputs})
    assert body_of(sim)["report_to_github"] is expected


def test_commit_override_drops_the_events_pr_number(
    sim: AutosanaSimulator, runner: ActionRunner, pr_event: dict[str, Any]
) -> None:
    runner.run(base_inputs(sim, commit_sha=HEAD.upper()))
    body = body_of(sim)
    assert body["ref"] == HEAD and "pr_number" not in body


def test_repository_override_drops_the_events_pr_number(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    runner.run(base_inputs(sim, repo_full_name="other-org/other-repo"))
    body = body_of(sim)
    assert body["repo_full_name"] == "other-org/other-repo" and "pr_number" not in body


@pytest.mark.parametrize("event_name", ["deployment", "deployment_status"])
def test_deployment_events_resolve_the_deployed_commit(
    sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub, event_name: str
) -> None:
    event = webhook_example(event_name)
    runner = ActionRunner(tmp_path, event_name, event, github_api_url=github.url)
    runner.run(base_inputs(sim, comment_mode="off", check_run="false"))
    body = body_of(sim)
    assert body["ref"] == event["deployment"]["sha"] and "pr_number" not in body


def test_push_resolves_the_checked_out_head(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    event = webhook_example("push", predicate=lambda p: p["ref"].startswith("refs/heads/"))
    git = tmp_path / ".git"
    (git / "refs" / "heads").mkdir(parents=True)
    (git / "HEAD").write_text("ref: refs/heads/feature\n")
    (git / "packed-refs").write_text(f"# pack-refs with: peeled\n{HEAD} refs/heads/feature\n")
    runner = ActionRunner(tmp_path, "push", event, github_api_url=github.url)
    result = runner.run(base_inputs(sim, comment_mode="off", check_run="false"))
    assert body_of(sim)["ref"] == HEAD
    assert f"Flows resolve from commit {HEAD} (the checked-out HEAD)" in result.stdout


def test_unknown_commit_leaves_ref_out_and_says_so(sim: AutosanaSimulator, tmp_path: Path, github: FakeGitHub) -> None:
    runner = ActionRunner(
        tmp_path, "workflow_dispatch", webhook_example("workflow_dispatch"), github_api_url=github.url
    )
    runner.extra_env["GITHUB_SHA"] = ""
    result = runner.run(base_inputs(sim, comment_mode="off", check_run="false"))
    assert result.returncode == 0, result.stdout
    assert "ref" not in body_of(sim)
    assert any("`ref` is left out" in w for w in result.commands("warning"))


# -- devices -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({}, None),
        ({"physical-device": "true"}, {"physical": True}),
        (
            {"device-model": "Pixel 10 Pro", "os-version": "17"},
            {"physical": False, "model": "Pixel 10 Pro", "os_version": "17"},
        ),
        ({"device-model": "latest", "os-version": "17"}, {"physical": False, "os_version": "17"}),
        ({"physical-device": "true", "device-model": "LATEST", "os-version": "latest"}, {"physical": True}),
    ],
)
def test_single_device_payload(
    sim: AutosanaSimulator, runner: ActionRunner, inputs: dict[str, str], expected: dict[str, Any] | None
) -> None:
    result = runner.run({**base_inputs(sim), **inputs})
    assert result.returncode == 0, result.stdout
    body = body_of(sim)
    assert body.get("device") == expected and "devices" not in body


def test_two_devices_payload(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    devices = '[{"physical": true, "model": "iPhone 17 Pro", "os_version": "26.0"}, {"physical": false}]'
    result = runner.run(base_inputs(sim, devices=devices))
    assert result.returncode == 0, result.stdout
    body = body_of(sim)
    assert body["devices"] == [
        {"physical": True, "model": "iPhone 17 Pro", "os_version": "26.0"},
        {"physical": False},
    ]
    assert "device" not in body


def test_devices_are_ignored_on_web_with_a_warning(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    inputs = base_inputs(sim, bundle_id="", platform="", app_id="shop-web", devices="[{bad json]", device_model="Pixel")
    result = runner.run(inputs)
    assert result.returncode == 0, result.stdout
    assert not {"device", "devices"} & set(body_of(sim))
    assert any("device selection inputs are mobile-only" in w for w in result.commands("warning"))


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (
            {"devices": '[{"physical": false}]'},
            "Input 'devices': it must be a JSON array containing exactly two objects",
        ),
        ({"run-changed-flows": "perhaps"}, "Input 'run-changed-flows': 'perhaps' is not true or false"),
        ({"flow-keys": "auth/login"}, "Input 'flow-keys': flow-keys and suite-keys cannot be combined"),
    ],
)
def test_bad_new_inputs_make_no_request(
    sim: AutosanaSimulator, runner: ActionRunner, inputs: dict[str, str], message: str
) -> None:
    result: ActionResult = runner.run({**base_inputs(sim), **inputs})
    assert result.returncode == 2
    assert any(message in e for e in result.commands("error")), result.commands("error")
    assert sim.requests == []
