"""Autosana's newest upload contract end to end (entrypoint.py as a subprocess with INPUT_*, the
simulator, fake GitHub): the build's own identity fills bundle-id and platform, contradictions and
builds Autosana cannot run stop before any request, confirm-upload's automations and warnings
reach the log and the report, folder-paths and location go to flows/run, and flows/run's 404
with ``X-Autosana-Recovery: branch-latest`` is explained."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from action_harness import ActionResult, ActionRunner
from conftest import base_inputs
from support.builds import FIXTURE_APK, FIXTURE_PACKAGE, apk, app_folder, info_plist, ipa, zipped_app

from autosana_sim import AutosanaSimulator, Fault


def place(runner: ActionRunner, source: Path, name: str) -> Path:
    target = runner.workdir / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True)
    else:
        shutil.copyfile(source, target)
    return target


def refused(result: ActionResult, sim: AutosanaSimulator, input_name: str) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert sim.requests == [], "nothing is sent before the inputs are right"
    (error,) = [e for e in result.commands("error") if e.startswith(f"Input '{input_name}':")]
    return error


# -- the build says what it is ----------------------------------------------------------------
def test_bundle_id_and_platform_come_from_an_apk_built_by_aapt(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    place(runner, FIXTURE_APK, "app/build/outputs/apk/release/app-release.apk")
    result = runner.run(base_inputs(sim, bundle_id="", platform="", build_path="app/**/*.apk"))

    assert result.returncode == 0, result.stdout + result.stderr
    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body["bundle_id"] == FIXTURE_PACKAGE and start.body["platform"] == "android"
    assert "name" not in start.body, "an empty name is never sent: it would rename the app"
    (confirm,) = sim.calls("/api/ci/confirm-upload")
    assert confirm.body["bundle_id"] == FIXTURE_PACKAGE and "name" not in confirm.body
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["bundle_id"] == FIXTURE_PACKAGE and run.body["platform"] == "android"
    assert "a build for an Android emulator" in result.stdout
    assert f"{FIXTURE_PACKAGE}, android" in result.summary


def test_a_zipped_simulator_app_gives_ios_and_its_bundle_id(
    sim: AutosanaSimulator, runner: ActionRunner, tmp_path: Path
) -> None:
    zipped_app(runner.workdir / "Shop.zip", info_plist("com.company.shop", binary=True))
    result = runner.run(base_inputs(sim, bundle_id="", platform="", build_path="Shop.zip"))

    assert result.returncode == 0, result.stdout + result.stderr
    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body["bundle_id"] == "com.company.shop" and start.body["platform"] == "ios"
    assert "a build for the iOS Simulator" in result.stdout


def test_a_bundle_id_the_build_contradicts_is_an_input_error(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    place(runner, FIXTURE_APK, "app.apk")
    result = runner.run(base_inputs(sim, bundle_id="com.company.other", build_path="app.apk"))
    error = refused(result, sim, "bundle-id")
    assert f"the build's bundle id is {FIXTURE_PACKAGE}, not com.company.other" in error


def test_a_platform_the_file_contradicts_is_an_input_error(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    place(runner, FIXTURE_APK, "app.apk")
    result = runner.run(base_inputs(sim, bundle_id="", platform="ios", build_path="app.apk"))
    error = refused(result, sim, "build-path")
    assert "it is an android build (set platform to android, or leave platform empty" in error


def test_an_apk_that_does_not_say_its_package_needs_bundle_id(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    apk(runner.workdir / "app.apk", b"not a compiled manifest")
    result = runner.run(base_inputs(sim, bundle_id="", platform="", build_path="app.apk"))
    assert "does not say its bundle id" in refused(result, sim, "bundle-id")


def test_without_a_build_bundle_id_is_still_required(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    result = runner.run(base_inputs(sim, bundle_id="", platform=""))
    assert "neither app-id (web) nor bundle-id (mobile) is set" in refused(result, sim, "app-id")


@pytest.mark.parametrize(
    ("make", "name", "expected"),
    [
        (lambda d: d / "x", "app-release.aab", "bundletool build-apks --mode=universal"),
        (lambda d: ipa(d / "Shop.ipa", platform="iphonesimulator"), "Shop.ipa", "Zip the .app folder"),
        (lambda d: zipped_app(d / "Shop.zip", info_plist("com.x", "iphoneos")), "Shop.zip", "Simulator destination"),
        (lambda d: app_folder(d, platform="iphoneos"), "Shop.app", "cannot run on the iOS Simulator"),
    ],
)
def test_builds_autosana_cannot_run_are_refused_before_any_request(
    sim: AutosanaSimulator, runner: ActionRunner, tmp_path: Path, make: object, name: str, expected: str
) -> None:
    source_dir = tmp_path / "src"
    source_dir.mkdir()
    assert callable(make)
    source = make(source_dir)
    if name.endswith(".aab"):
        source.write_bytes(b"PK\x03\x04aab")
    place(runner, source, name)
    result = runner.run(base_inputs(sim, bundle_id="", platform="", build_path=name))
    error = refused(result, sim, "build-path")
    assert name in error and expected in error


# -- what the upload started, and what Autosana warned about ----------------------------------
def test_automations_and_warnings_are_in_the_log_and_the_report(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.triggered_flows = [{"id": "auto-1"}, {"id": "auto-2"}]
    sim.confirm_warnings = ["This build has no debug symbols."]
    place(runner, FIXTURE_APK, "app.apk")
    result = runner.run(base_inputs(sim, bundle_id="", platform="android-arm64-gplay", build_path="app.apk"))

    assert result.returncode == 0, result.stdout + result.stderr
    warnings = result.commands("warning")
    assert any("This build has no debug symbols." in w for w in warnings)
    assert any("android-arm64-gplay is deprecated; use android" in w for w in warnings)
    assert "The upload also started 2 automations" in result.stdout
    assert "active build for the whole workspace" in result.stdout
    assert "The upload also started 2 automations" in result.summary
    assert "Autosana: This build has no debug symbols." in result.summary
    assert "Autosana: Platform android-arm64-gplay is deprecated" in result.summary


def test_a_name_is_sent_when_given(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    place(runner, FIXTURE_APK, "app.apk")
    result = runner.run(base_inputs(sim, bundle_id="", platform="", build_path="app.apk", name="Shop"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert sim.calls("/api/ci/start-upload")[0].body["name"] == "Shop"
    assert sim.calls("/api/ci/confirm-upload")[0].body["name"] == "Shop"


def test_a_web_build_without_name_sends_none(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    inputs = base_inputs(sim, bundle_id="", platform="", app_id="shop-web", url="https://pr-1.example.com")
    result = runner.run(inputs)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "name" not in sim.calls("/api/ci/upload-web-build")[0].body


# -- folder-paths and location ------------------------------------------------------------------
def test_folder_paths_and_location_go_to_flows_run(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    inputs = base_inputs(
        sim, suite_ids="", folder_paths="./.autosana/auth/\ncheckout/guest", flow_keys="smoke/login", location="de"
    )
    result = runner.run(inputs)
    assert result.returncode == 0, result.stdout + result.stderr
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["folder_paths"] == ["auth", "checkout/guest"]
    assert run.body["flow_keys"] == ["smoke/login"]
    assert run.body["location"] == "DE"


@pytest.mark.parametrize(
    ("inputs", "input_name", "message"),
    [
        ({"folder_paths": "../secrets"}, "folder-paths", "is not a folder below .autosana/"),
        ({"folder_paths": "/abs/path"}, "folder-paths", "is not a folder below .autosana/"),
        ({"folder_paths": "auth//login"}, "folder-paths", "is not a folder below .autosana/"),
        ({"folder_paths": ".autosana"}, "folder-paths", "is not a folder below .autosana/"),
        ({"folder_paths": "auth"}, "folder-paths", "cannot be combined with flow-ids, suite-ids, or labels"),
        ({"location": "USA"}, "location", "is not a two-letter country code"),
        (
            {"location": "US", "bundle_id": "", "platform": "", "app_id": "shop-web"},
            "location",
            "location is for mobile runs",
        ),
    ],
)
def test_bad_folder_paths_and_locations_are_input_errors(
    sim: AutosanaSimulator, runner: ActionRunner, inputs: dict[str, str], input_name: str, message: str
) -> None:
    result = runner.run(base_inputs(sim, **inputs))
    assert message in refused(result, sim, input_name)


# -- flows/run's recovery header ----------------------------------------------------------------
def test_no_build_for_the_commit_is_explained(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults.append(
        Fault(
            "status",
            path="/api/v1/flows/run",
            status=404,
            body={"detail": "No build found for this commit"},
            headers={"X-Autosana-Recovery": "branch-latest"},
        )
    )
    result = runner.run(base_inputs(sim))
    assert result.returncode == 2, result.stdout + result.stderr
    (error,) = [e for e in result.commands("error") if "No build found for this commit" in e]
    assert "no build for the commit under test" in error
    assert "upload the build in this step (build-path), or pin one with app-build-id" in error
    assert "no build for the commit under test" in result.summary


def test_a_plain_404_is_not_called_a_missing_build(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    sim.faults.append(Fault("status", path="/api/v1/flows/run", status=404, body={"detail": "App not found"}))
    result = runner.run(base_inputs(sim))
    assert result.returncode == 2
    assert not any("commit under test" in e for e in result.commands("error"))


@pytest.mark.parametrize(
    ("triggered", "count"),
    [([{"id": "a"}, {"id": "b"}], 2), ([], 0), (3, 3), (None, None), (True, None), ("x", None)],
)
def test_the_automation_count_is_read_from_a_list_or_a_number(triggered: object, count: int | None) -> None:
    from autosana_action.autosana.upload_models import BuildRegistered

    assert BuildRegistered.model_validate({"status": "success", "triggered_flows": triggered}).automations == count
