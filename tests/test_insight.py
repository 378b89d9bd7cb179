"""Why it failed, right in the PR: run details, JUnit XML, the results file and what changed
since the last report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from action_harness import ActionRunner
from conftest import CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub

from autosana_action.autosana.models import BatchStatus, Run, RunGroup
from autosana_action.report.history import Comparison, State
from autosana_sim import AutosanaSimulator, FlowPlan

ODD = "abababab-0000-4000-8000-000000000001"


def comment_body(github: FakeGitHub, event: dict[str, Any]) -> str:
    (comment,) = github.comments(event["repository"]["full_name"], event["pull_request"]["number"])
    return str(comment["body"])


def test_failed_run_is_explained_in_the_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    # The example event's repository is public: signed artifact links appear only when asked for.
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT, artifact_links="always"))
    body = comment_body(github, pr_event)
    assert "- **Checkout with expired card** · " in body
    assert "stopped at step " in body and "`assert`" in body
    assert f"[screenshot]({sim.artifacts.url}/artifacts/" in body
    assert f"[annotated]({sim.artifacts.url}/artifacts/" in body
    assert "🟠 major functional: No error message after tapping Pay" in body
    assert f"[device log]({sim.artifacts.url}/artifacts/" in body
    assert "Checkout with expired card" in result.summary and "stopped at step" in result.summary
    details = sim.calls("/api/v1/runs/")
    assert [c for c in details if c.path != "/api/v1/runs/status"], "details were read"


def test_ux_issues_of_passed_runs_are_folded(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    issue = {"type": "ux", "severity": "minor", "title": "No loading indicator", "description": "Blank screen."}
    sim.plan(ODD, "UX", FlowPlan("Browse", "passed", 0.05, "ok", issues=[issue]))
    runner.run(base_inputs(sim, suite_ids=ODD))
    body = comment_body(github, pr_event)
    folded = body[body.index("<details>") :]
    assert "Reported on runs that passed:" in folded and "🟡 minor ux: No loading indicator — Blank screen." in folded


def test_unreadable_details_never_fail_the_report(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    sim.detail_failure = 500
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    assert result.returncode == 1 and result.outputs["result"] == "failed"
    assert any("run details could not be read" in w for w in result.commands("warning"))
    assert "Checkout with expired card" in comment_body(github, pr_event)


def test_junit_xml(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.plan(
        ODD,
        "Mixed",
        FlowPlan("ok", "passed", 0.05, "fine"),
        FlowPlan("skip", "skipped", 0.05, "n/a"),
        FlowPlan("boom", "error", 0.1, "device lost\x01"),
        FlowPlan("bad", "failed", 0.1, "wrong <total>"),
    )
    runner.run(base_inputs(sim, suite_ids=f"{ODD},{LOGIN}", junit_path="reports/autosana.xml"))
    root = ET.parse(runner.workdir / "reports" / "autosana.xml").getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("6", "1", "1", "1")
    mixed = root.find("testsuite[@name='Mixed']")
    assert mixed is not None and mixed.get("tests") == "4"
    bad = mixed.find("testcase[@name='bad']")
    assert bad is not None and float(bad.get("time", "0")) > 0
    failure = bad.find("failure")
    assert failure is not None and failure.get("message") == "wrong <total>"
    assert "Stopped at step" in (failure.text or "") and "Run: https://autosana.ai/runs/flow/" in (failure.text or "")
    url = bad.find("properties/property[@name='url']")
    assert url is not None and url.get("value", "").startswith("https://autosana.ai/runs/flow/")
    assert mixed.find("testcase[@name='boom']/error") is not None
    assert mixed.find("testcase[@name='skip']/skipped") is not None


def test_results_json_output(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT))
    document = json.loads((runner.workdir / result.outputs["results-json"]).read_text())
    assert document["result"] == "failed" and document["batch_id"] == result.outputs["batch-id"]
    runs = {r["name"]: r for g in document["run_groups"] for r in g["runs"]}
    assert runs["Checkout with expired card"]["detail"]["actions"]
    assert runs["Checkout with expired card"]["url"].startswith("https://autosana.ai/runs/flow/")


def test_comparison_with_the_previous_report(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    sim.plan(
        ODD,
        "Shop",
        FlowPlan("Cart", "failed", 0.05, "x"),
        FlowPlan("Pay", "failed", 0.05, "y"),
        FlowPlan("Search", "passed", 0.05, "z"),
    )
    runner.run(base_inputs(sim, suite_ids=ODD))
    sim.plan(
        ODD,
        "Shop",
        FlowPlan("Cart", "passed", 0.05, "x"),
        FlowPlan("Pay", "failed", 0.05, "y"),
        FlowPlan("Search", "failed", 0.05, "z"),
    )
    result = runner.run(base_inputs(sim, suite_ids=ODD))
    body = comment_body(github, pr_event)
    sha = pr_event["pull_request"]["head"]["sha"][:7]
    assert f"1 new failure, 1 fixed, 1 still failing since {sha}" in body
    assert "**Fixed since the last report:** Cart" in body
    assert "| ❌ failed 🆕 new | [Search]" in body and "| ❌ failed 🔁 again | [Pay]" in body
    assert "1 new failure" in result.summary
    assert json.loads((runner.workdir / "autosana-results.json").read_text())["comparison"]["fixed"] == [
        {"group": "Shop", "flow": "Cart"}
    ]


def test_state_round_trip_and_garbage() -> None:
    status = BatchStatus(
        is_complete=True, run_groups=[RunGroup(name="G", runs=[Run(id="1", name="a", status="failed")])]
    )
    state = State.of(status, "abcdef1234")
    assert State.decode("text\n" + state.encode()) == state
    assert State.decode("<!-- autosana-state v1 bm90LXpsaWI= -->") is None
    assert Comparison.between(state, status).sentence() == "1 still failing since abcdef1"
