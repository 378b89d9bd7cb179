"""The image, built from the Dockerfile and run the way the GitHub runner runs a Docker action:
workspace, file-commands and home mounted, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY in the
file-commands mount, every input as INPUT_<NAME> with hyphens kept, the simulator and the fake
GitHub on the host network.

Needs podman (../shared/tools/container-env.sh sets it up); skipped without it unless
AUTOSANA_REQUIRE_CONTAINER=1, which CI sets."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
from action_harness import ROOT, ActionResult, ActionRunner, parse_outputs
from conftest import CHECKOUT, LOGIN, base_inputs
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator

PODMAN_FLAGS = ["--runtime", "runc", "--network", "host", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]
TAG = "localhost/autosana-action:test"


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    base = os.environ.get("STANDIN_BASE", "localhost/standin-python:slim")
    if (
        shutil.which("podman") is None
        or subprocess.run(["podman", "image", "exists", base], check=False).returncode != 0
    ):
        if os.environ.get("AUTOSANA_REQUIRE_CONTAINER") == "1":
            pytest.fail("podman or the stand-in base image is missing: run ../shared/tools/container-env.sh")
        pytest.skip("podman and the stand-in base image are not set up (../shared/tools/container-env.sh)")
    subprocess.run(
        ["podman", "build", *PODMAN_FLAGS, "--quiet", "--build-arg", f"BASE_IMAGE={base}", "-t", TAG, str(ROOT)],
        check=True,
        capture_output=True,
    )
    yield TAG


def run_container(image: str, runner: ActionRunner, inputs: dict[str, str]) -> ActionResult:
    """Translate the runner environment of the subprocess tests into the container's view."""
    host = runner.workdir
    for name in ("workspace", "file_commands", "home", "workflow"):
        (host / name).mkdir(exist_ok=True)
    env = runner.env(inputs)
    shutil.copy(env["GITHUB_EVENT_PATH"], host / "workflow" / "event.json")
    for name in ("output", "summary"):
        (host / "file_commands" / name).write_text("")
    env.update(
        {
            "GITHUB_EVENT_PATH": "/github/workflow/event.json",
            "GITHUB_OUTPUT": "/github/file_commands/output",
            "GITHUB_STEP_SUMMARY": "/github/file_commands/summary",
            "GITHUB_WORKSPACE": "/github/workspace",
            "HOME": "/github/home",
        }
    )
    env.pop("PATH")
    command = ["podman", "run", *PODMAN_FLAGS, "--rm", "--workdir", "/github/workspace"]
    for name in ("workspace", "file_commands", "home", "workflow"):
        command += ["-v", f"{host / name}:/github/{name}"]
    for key, value in env.items():
        command += ["-e", f"{key}={value}"]
    done = subprocess.run([*command, image], capture_output=True, text=True, timeout=120, check=False)
    return ActionResult(
        done.returncode,
        done.stdout,
        done.stderr,
        parse_outputs((host / "file_commands" / "output").read_text()),
        (host / "file_commands" / "summary").read_text(),
    )


def test_container_runs_like_the_runner_runs_it(
    image: str, sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    result = run_container(image, runner, base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}"))

    assert result.returncode == 1, result.stdout + result.stderr
    assert result.outputs["result"] == "failed"
    assert (result.outputs["passed-flows"], result.outputs["failed-flows"]) == ("3", "1")
    assert result.outputs["batch-id"] in sim.batches
    assert "## ❌ Autosana: 1 of 4 flows failed" in result.summary
    assert result.stdout.splitlines()[0].startswith("::add-mask::")
    (comment,) = github.comments(pr_event["repository"]["full_name"], pr_event["pull_request"]["number"])
    assert "Checkout with expired card" in comment["body"]
    assert result.outputs["comment-url"] == comment["html_url"]
    assert [r["conclusion"] for r in github.check_runs()] == ["failure"]


def test_container_uploads_the_build_from_the_workspace_mount(
    image: str, sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    apk = runner.workdir / "workspace" / "app" / "release" / "app-release.apk"
    apk.parent.mkdir(parents=True)
    apk.write_bytes(os.urandom(200_000))
    result = run_container(image, runner, base_inputs(sim, build_path="app/**/*.apk"))

    assert result.returncode == 0, result.stdout + result.stderr
    (put,) = sim.storage.puts()
    assert put.status == 200 and put.size == 200_000
    (run,) = sim.calls("/api/v1/flows/run")
    assert run.body["app_build_id"] == result.outputs["app-build-id"] == sim.registered[0]["build_id"]
    assert "app-release.apk" in result.summary


def test_container_rejects_bad_input_before_any_request(
    image: str, sim: AutosanaSimulator, runner: ActionRunner
) -> None:
    result = run_container(image, runner, base_inputs(sim, platform="windows"))
    assert result.returncode == 2
    assert "Input 'platform'" in result.stdout
    assert sim.requests == []


def test_image_has_no_build_leftovers(image: str) -> None:
    probe = subprocess.run(
        [
            "podman",
            "run",
            *PODMAN_FLAGS,
            "--rm",
            "--entrypoint",
            "/bin/sh",
            image,
            "-c",
            "ls /root/.cache/pip 2>/dev/null | wc -l; python -c 'import github, pydantic, requests; print(\"ok\")'",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.split() == ["0", "ok"]
