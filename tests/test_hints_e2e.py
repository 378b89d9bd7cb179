"""The action, run as the runner runs it, reads the failing runs' screenshots and logs from the
simulator's own storage on 127.0.0.1 and puts the crash, the failed requests and the screenshot
in the PR comment: per platform, bounded by read-logs, redacted and inert."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from action_harness import ActionRunner
from conftest import API_KEY, base_inputs
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator, FlowPlan
from autosana_sim import demo_logs as logs
from autosana_sim.artifacts import PaddedLog
from autosana_sim.run_artifacts import MISSING_LOG

SUITE = "abababab-0000-4000-8000-0000000000aa"


def comment(github: FakeGitHub, event: dict[str, Any]) -> str:
    (posted,) = github.comments(event["repository"]["full_name"], event["pull_request"]["number"])
    return str(posted["body"])


def plan(sim: AutosanaSimulator, *flows: FlowPlan) -> None:
    sim.plan(SUITE, "Checkout", FlowPlan("Browse", "passed", 0.05, "ok"), *flows)


def test_android_crash_and_screenshot_in_the_comment(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Pay", "failed", 0.1, "The spinner never stopped."))
    result = runner.run(base_inputs(sim, suite_ids=SUITE, artifact_links="always"))
    body = comment(github, pr_event)
    assert "- 💥 **App crash** in the device log, nearest the failing step:" in body
    assert "    java.lang.IllegalStateException: Payment error has no message\n" in body
    assert "      at com.company.app.checkout.PaymentErrorMapper.map(PaymentErrorMapper.kt:42)\n" in body
    assert f'<img src="{sim.artifacts.url}/artifacts/' in body and "_annotated.png" in body
    assert "The image link expires" in body and "App crash" in result.summary
    check = github.check_runs()[-1]["output"]
    assert check["title"] == "1 of 2 flows failed" and "App crash" in check["summary"]
    # Storage gets the signed URL and nothing else; only the failing run's log was read.
    served = sim.artifacts.served
    assert len([s for s in served if s.path.endswith("device.log")]) == 1
    assert all("X-API-Key" not in s.headers and "Authorization" not in s.headers for s in served)


def test_public_repositories_get_the_crash_but_no_signed_image(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x"))
    runner.run(base_inputs(sim, suite_ids=SUITE))  # the example event's repository is public
    body = comment(github, pr_event)
    assert "**App crash**" in body and "<img" not in body and sim.artifacts.url not in body
    assert "[screenshots and logs on Autosana](https://autosana.ai/runs/flow/" in body


def test_ios_uncaught_exception(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Pay", "error", 0.1, "The app closed."))
    runner.run(base_inputs(sim, suite_ids=SUITE, platform="ios"))
    body = comment(github, pr_event)
    assert "Terminating app due to uncaught exception 'NSInvalidArgumentException'" in body
    assert "      3 DemoShop PaymentErrorView.init(message:) + 88\n" in body


def test_web_failed_requests_hosts_only_where_links_are_shown(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Order", "failed", 0.1, "No confirmation."))
    web = {"bundle_id": "", "platform": "", "app_id": "demo-shop-web", "suite_ids": SUITE}
    runner.run(base_inputs(sim, **web))
    body = comment(github, pr_event)
    assert "**Uncaught error** in the browser console" in body
    assert "- `POST /api/orders` → **500** · 1,240 ms" in body
    assert "- `GET /v1/collect` → failed: net::ERR\\_NAME\\_NOT\\_RESOLVED · 31 ms" in body
    assert "session=demo" not in body and "shop.example.com" not in body and "favicon" not in body
    runner.run(base_inputs(sim, artifact_links="always", **web))
    assert "- `POST shop.example.com/api/orders` → **500**" in comment(github, pr_event)


def test_read_logs_bounds_the_runs_read(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x"), FlowPlan("Refund", "failed", 0.1, "y"))
    runner.run(base_inputs(sim, suite_ids=SUITE, read_logs="1"))
    body = comment(github, pr_event)
    assert body.count("**App crash**") == 1
    assert "logs were read for 1 of the 2 runs that did not pass \\(read-logs: 1\\); the rest are on Autosana" in body
    assert len([s for s in sim.artifacts.served if s.path.endswith("device.log")]) == 1
    runner.run(base_inputs(sim, suite_ids=SUITE, read_logs="0"))
    assert "**App crash**" not in comment(github, pr_event)
    bad = runner.run(base_inputs(sim, suite_ids=SUITE, read_logs="-1"))
    assert bad.returncode == 2 and any("read-logs" in e for e in bad.commands("error"))


def test_secrets_and_markup_in_a_log_stay_inert(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    crash = logs.android_crash(datetime.now(UTC), "com.company.app").replace(
        "Payment error has no message",
        f"key {API_KEY} pw s3cr3t-v4lue ``` </details><img src=x> @octocat ::error::forged",
    )
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x", device_log=crash))
    result = runner.run(base_inputs(sim, suite_ids=SUITE, redact="s3cr3t-v4lue"))
    body = comment(github, pr_event)
    assert API_KEY not in body and "s3cr3t-v4lue" not in body and "key *** pw ***" in body
    fenced = body[body.index("~~~text") : body.index("~~~\n", body.index("~~~text") + 7)]
    assert "</details><img src=x> @octocat ::error::forged" in fenced
    assert "@octocat" not in body.replace(fenced, "") and "<img src=x>" not in body.replace(fenced, "")
    assert not any(line.startswith("::error::forged") for line in result.stdout.splitlines())


def test_a_missing_log_costs_only_its_hint(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x", device_log=MISSING_LOG))
    result = runner.run(base_inputs(sim, suite_ids=SUITE, artifact_links="always"))
    body = comment(github, pr_event)
    assert result.returncode == 1 and "stopped at step" in body and "<img src=" in body and "App crash" not in body
    assert (
        "1 logs of failing runs could not be read (their hints are left out); first: device log: the storage "
        "answered 404 Not Found" in result.stdout
    )


def test_nothing_the_simulator_links_is_outside_this_machine(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x"))
    result = runner.run(base_inputs(sim, suite_ids=SUITE, artifact_links="always"))
    document = json.loads((runner.workdir / result.outputs["results-json"]).read_text())
    details = [r["detail"] for g in document["run_groups"] for r in g["runs"] if r.get("detail")]
    urls = [
        value
        for detail in details
        for value in [*detail.values(), *(v for a in detail.get("actions", []) for v in a.values())]
        if isinstance(value, str) and value.startswith("http") and "/runs/flow/" not in value
    ]
    assert urls and all(url.startswith(f"{sim.artifacts.url}/artifacts/") for url in urls)


def test_a_slow_log_never_keeps_the_step_past_its_deadline(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.artifacts.supports_range = False
    sim.artifacts.delay_per_chunk = 0.5  # 256 KiB every half second: 40 MiB would take 80 s
    plan(sim, FlowPlan("Pay", "failed", 0.1, "x", device_log=PaddedLog(40 * 1024 * 1024, b"end\n")))
    started = time.monotonic()
    result = runner.run(base_inputs(sim, suite_ids=SUITE, timeout_minutes="0.1"))  # 6 s for the whole step
    assert time.monotonic() - started < 12, "the logs' 20 s budget is cut to what the step has left"
    assert result.returncode == 1 and "logs of failing runs could not be read" in result.stdout
