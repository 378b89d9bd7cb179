"""The command line as a new user meets it: `python -m autosana_action` as a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from action_harness import ROOT

from autosana_action import __version__
from autosana_action.input_help import INPUT_HELP
from autosana_action.settings import INPUT_NAMES


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "autosana_action", *args],
        check=False,
        env={**base, **(env or {})},
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_flag_help_is_action_yml() -> None:
    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    from_yml = {name: (spec["description"], spec.get("default")) for name, spec in inputs.items()}
    assert from_yml == {name: (text, default) for name, (text, default) in INPUT_HELP.items()}
    assert set(INPUT_HELP) == set(INPUT_NAMES)


def test_run_help_explains_every_flag() -> None:
    result = cli("run", "--help")
    assert result.returncode == 0
    text = squash(result.stdout)
    for name, (description, _) in INPUT_HELP.items():
        assert f"--{name} VALUE {squash(description)}" in text, name
    assert "AUTOSANA_API_KEY" in text
    assert "(default: 10)" in text and "(default: failed,error,terminated,skipped)" in text
    assert "${{" not in text


def test_version() -> None:
    result = cli("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"autosana-action {__version__}")


def test_abbreviated_flags_are_refused() -> None:
    result = cli("run", "--bundle", "com.x")
    assert result.returncode == 2
    assert "unrecognized arguments: --bundle" in result.stderr


def test_all_input_problems_at_once_from_the_cli() -> None:
    result = cli("run", "--poll-interval", "soon", "--platform", "ios", "--run-changed-flows", "false")
    assert result.returncode == 2
    for name in ("api-key", "poll-interval", "app-id", "suite-ids"):
        assert f"Input '{name}'" in result.stdout, name


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield busy.getsockname()[1]


def test_simulator_port_taken_is_a_plain_error(taken_port: int) -> None:
    result = cli("simulator", "--port", str(taken_port))
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{taken_port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--port", "99999"], "99999 is not a port number"),
        (["--port", "http"], "'http' is not a port number"),
        (["--time-scale", "0"], "0 is not a number greater than 0"),
        (["--time-scale", "-2"], "-2 is not a number greater than 0"),
        (["--time-scale", "nan"], "nan is not a number greater than 0"),
    ],
)
def test_simulator_arguments_are_checked(args: list[str], words: str) -> None:
    result = cli("simulator", *args)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_demo_checks_the_summary_path_before_running(tmp_path: Path) -> None:
    result = cli("demo", "--summary", str(tmp_path / "missing" / "x.md"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr
    assert "simulator on" not in result.stdout, "the demo did not start"


def test_demo_prints_a_real_results_path_and_ignores_stray_inputs(tmp_path: Path) -> None:
    stray = {"INPUT_FAIL-ON": "none", "INPUT_SUITE-IDS": "not-a-uuid", "GITHUB_EVENT_NAME": "push"}
    result = cli("demo", "--poll-interval", "0.1", "--summary", str(tmp_path / "summary.md"), env=stray, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the action exited with 1" in result.stdout, "fail-on: none leaked in from the shell"
    results = tmp_path / "autosana-results.json"
    assert f"{results}" in result.stdout
    assert json.loads(results.read_text())["result"] == "failed"
    summary = (tmp_path / "summary.md").read_text()
    assert summary.startswith("## ")
    # All three hints from the device: a crash, the failed requests and the screenshot.
    assert "**App crash** in the device log" in summary and "**Uncaught error** in the browser console" in summary
    assert (
        "→ **500**" in summary and "ERR\\_NAME\\_NOT\\_RESOLVED" in summary and '<img src="http://127.0.0.1:' in summary
    )
