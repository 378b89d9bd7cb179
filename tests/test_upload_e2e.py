"""The upload stage end to end: entrypoint.py as a subprocess with INPUT_* variables, the build
file inside GITHUB_WORKSPACE, the Autosana simulator (with its object store) and fake GitHub."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionRunner
from conftest import LOGIN, base_inputs
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator, StorageFault

WEB_DEP = "cccccccc-0000-4000-8000-000000000001"


def write_build(runner: ActionRunner, name: str = "app/build/outputs/apk/release/app-release.apk") -> Path:
    path = runner.workdir / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(256 * 1024))
    return path


def test_the_prs_build_is_uploaded_and_the_flows_pinned_to_it(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk", environment="staging"))

    assert result.returncode == 0, result.stdout + result.stderr
    (registered,) = sim.registered
    pr = pr_event["pull_request"]
    assert registered["commit_sha"] == pr["head"]["sha"]
    assert registered["branch_name"] == pr["head"]["ref"]
    assert registered["repo_full_name"] == pr_event["repository"]["full_name"]
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["app_build_id"] == registered["build_id"]
    assert run.body["environment"] == "staging" and run.body["platform"] == "android"
    assert result.outputs["app-build-id"] == registered["build_id"]
    assert result.outputs["build-file"] == "app-release.apk" and result.outputs["build-size"] == str(256 * 1024)
    assert "**Build file** app-release.apk · 256.0 KB" in result.summary
    assert pr["head"]["sha"][:12] in result.summary
    # The check run is in progress from the upload on, and the comment names the build too.
    create = next(r for r in github.requests if r.method == "POST" and r.path.endswith("/check-runs"))
    assert create.body["status"] == "in_progress" and create.body["output"]["title"] == "Uploading the build"
    updates = [r.body for r in github.requests if r.method == "PATCH" and "/check-runs/" in r.path]
    assert updates[0]["output"]["title"] == "Running Autosana flows"
    assert updates[0]["external_id"] == result.outputs["batch-id"]
    (check,) = github.check_runs()
    assert check["status"] == "completed" and check["external_id"] == result.outputs["batch-id"]
    assert "app-release.apk" in check["output"]["summary"]
    (comment,) = github.comments(pr_event["repository"]["full_name"], pr["number"])
    assert "app-release.apk · 256.0 KB" in comment["body"]


def test_wait_false_completes_the_check_the_upload_started(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk", wait="false"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["result"] == "triggered"
    (check,) = github.check_runs()
    assert (check["status"], check["conclusion"]) == ("completed", "neutral")
    assert github.comments(pr_event["repository"]["full_name"], pr_event["pull_request"]["number"]) == []


def test_upload_only_when_nothing_is_selected(sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub) -> None:
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk", suite_ids="", run_changed_flows="false"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["result"] == "uploaded"
    assert result.outputs["app-build-id"] == sim.registered[0]["build_id"]
    assert sim.calls("/api/v1/") == []
    assert "Build uploaded; no flows were requested" in result.summary
    assert github.check_runs() == []


def test_with_no_selector_the_uploaded_build_runs_the_changed_flows(
    sim: AutosanaSimulator, runner: ActionRunner
) -> None:
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk", suite_ids=""))

    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["run_changed_flows"] is True and "suite_ids" not in run.body
    assert run.body["app_build_id"] == sim.registered[0]["build_id"]
    assert result.outputs["result"] == "skipped"  # the simulator knows no changed flows for this commit
    assert result.returncode == 0


def test_without_a_build_id_the_run_says_it_uses_the_active_build(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.build_id_key = None
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk"))

    assert result.returncode == 0
    (run,) = sim.calls("/api/v1/flows/run")
    assert "app_build_id" not in run.body
    assert any("active build" in w for w in result.commands("warning"))
    assert "the flows run on the app's active build" in result.summary
    assert "app-build-id" not in result.outputs


def test_app_build_id_in_the_answer_is_read_too(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.build_id_key = "app_build_id"
    write_build(runner)
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk"))
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["app_build_id"] == result.outputs["app-build-id"] == sim.registered[0]["build_id"]


def test_web_preview_url_is_registered_then_tested(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    inputs = base_inputs(
        sim,
        bundle_id="",
        platform="web",
        app_id="shop-web",
        url="https://pr-42.preview.example.com",
        dependencies=json.dumps([WEB_DEP]),
        environment="preview",
    )
    result = runner.run(inputs)

    assert result.returncode == 0, result.stdout + result.stderr
    (web,) = sim.calls("/api/ci/upload-web-build")
    assert web.body["url"] == "https://pr-42.preview.example.com" and web.body["app_id"] == "shop-web"
    assert web.body["dependencies"] == [WEB_DEP] and web.body["environment"] == "preview"
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["app_build_id"] == sim.registered[0]["build_id"]
    assert run.body["dependencies"] == [WEB_DEP] and run.body["environment"] == "preview"
    assert result.outputs["build-url"] == "https://pr-42.preview.example.com"
    assert "**Build URL** https://pr-42.preview.example.com" in result.summary
    assert sim.calls("/api/ci/start-upload") == []


def test_web_url_alone_is_registered_and_nothing_runs(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    inputs = base_inputs(sim, bundle_id="", platform="", app_id="shop-web", url="https://pr-7.example.com")
    inputs.update({"suite-ids": "", "run-changed-flows": "false"})
    result = runner.run(inputs)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.outputs["result"] == "uploaded" and result.outputs["build-url"] == "https://pr-7.example.com"
    assert len(sim.calls("/api/ci/upload-web-build")) == 1 and sim.calls("/api/v1/") == []


def test_chrome_extension_is_upload_only(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    write_build(runner, "dist/extension.zip")
    inputs = base_inputs(
        sim, platform="chrome-extension", bundle_id="abcdefghijklmnop", build_path="dist/extension.zip", suite_ids=""
    )
    inputs["environment"] = "staging"
    result = runner.run(inputs)

    assert result.returncode == 0, result.stdout + result.stderr
    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body["platform"] == "chrome-extension" and "environment" not in start.body
    assert "environment is ignored for chrome-extension uploads." in result.commands("warning")
    assert result.outputs["result"] == "uploaded"


def test_deprecated_platform_is_passed_on_with_a_warning(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    write_build(runner)
    result = runner.run(base_inputs(sim, platform="android-arm64-gplay", build_path="app/**/*.apk"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert sim.calls("/api/ci/start-upload")[0].body["platform"] == "android-arm64-gplay"
    assert sim.calls("/api/v1/flows/run")[0].body["platform"] == "android"
    warnings = result.commands("warning")
    assert any("android-arm64-gplay is deprecated" in w for w in warnings)


def test_storage_trouble_is_retried_and_reported_once(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    write_build(runner)
    sim.storage.faults.append(StorageFault("drop", after_bytes=1000))
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [p.status for p in sim.storage.puts()] == [0, 200]
    assert len(sim.calls("/api/ci/confirm-upload")) == 1


def test_a_refused_upload_fails_the_step_before_any_flow(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    write_build(runner)
    sim.storage.faults.extend([StorageFault("forbidden"), StorageFault("forbidden")])
    result = runner.run(base_inputs(sim, build_path="app/**/*.apk"))

    assert result.returncode == 1
    assert result.outputs["result"] == "error"
    assert sim.calls("/api/v1/") == [] and sim.calls("/api/ci/confirm-upload") == []
    assert "The build was not uploaded" in result.summary and "403 AccessDenied" in result.summary
    (check,) = github.check_runs()
    assert check["conclusion"] == "failure"


def test_sigterm_during_the_upload_ends_cleanly(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    write_build(runner)
    sim.storage.faults.append(StorageFault("stall", delay=30))
    proc = runner.start(base_inputs(sim, build_path="app/**/*.apk"))
    deadline = time.monotonic() + 20
    while not sim.calls("/api/ci/start-upload") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)  # the PUT is sent and waits for the stalled answer
    runner.interrupt(proc)
    result = runner.finish(proc, timeout=15)

    assert result.returncode == 1
    assert result.outputs["result"] == "cancelled"
    assert "Cancelled while uploading the build" in result.summary
    assert sim.calls("/api/ci/confirm-upload") == [] and sim.calls("/api/v1/") == []
    (check,) = github.check_runs()
    assert check["conclusion"] == "cancelled"


@pytest.mark.parametrize(
    ("inputs", "input_name", "text"),
    [
        ({"build_path": "missing.apk"}, "build-path", "does not exist"),
        ({"build_path": "**/*.aab"}, "build-path", "matches no file"),
        ({"build_path": "two/*.apk"}, "build-path", "matches 2 files"),
        ({"build_path": "two/a.apk", "platform": "ios"}, "build-path", "is not an .ipa"),
        ({"build_path": "empty.apk"}, "build-path", "is empty"),
        ({"platform": "windows"}, "platform", "'windows' is not a platform"),
        ({"bundle_id": "", "app_id": "Shop_Web", "platform": "", "url": "https://x.example"}, "app-id", "lowercase"),
        ({"bundle_id": "", "app_id": "shop", "platform": "web", "url": "ftp://x"}, "url", "not an http(s) URL"),
        ({"bundle_id": "", "app_id": "shop", "url": "https://x.example", "dependencies": "[1,"}, "dependencies", "JS"),
        ({"bundle_id": "", "app_id": "shop", "dependencies": '["nope"]'}, "dependencies", "is not a UUID"),
        ({"bundle_id": "", "app_id": "shop", "dependencies": '[{"app_id": "x", "y": 1}]'}, "dependencies", "keys"),
        ({"dependencies": "[]"}, "dependencies", "web runs only"),
        ({"enable_ios_keychain_access_group_remapping": "maybe"}, "enable-ios-keychain", "not true or false"),
        ({"platform": "chrome-extension", "build_path": "ext.zip"}, "platform", "cannot run flows"),
        ({"platform": "chrome-extension", "suite_ids": ""}, "build-path", "needs the extension's .zip"),
        ({"url": "https://x.example"}, "url", "url is for web apps"),
        ({"bundle_id": "", "app_id": "shop", "build_path": "two/a.apk"}, "build-path", "set url"),
        ({"build_path": "two/a.apk", "app_build_id": LOGIN}, "app-build-id", "cannot also pin"),
    ],
)
def test_bad_build_inputs_stop_before_any_request(
    sim: AutosanaSimulator, runner: ActionRunner, inputs: dict[str, str], input_name: str, text: str
) -> None:
    for name, data in (("two/a.apk", b"PK"), ("two/b.apk", b"PK"), ("empty.apk", b""), ("ext.zip", b"PK")):
        (runner.workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (runner.workdir / name).write_bytes(data)
    result = runner.run(base_inputs(sim, **inputs))

    assert result.returncode == 2, result.stdout
    assert sim.requests == []
    errors = result.commands("error")
    assert any(input_name in e and text in e for e in errors), errors
