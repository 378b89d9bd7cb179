"""Outside GitHub Actions (a terminal, another CI system) the log is plain text: no workflow
commands, no secret printed to be masked, errors as ``error: ...``, colour only on a terminal, and
the job summary in a file the log names. On the runner nothing changes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

from action_harness import ROOT, ActionRunner
from conftest import API_KEY, CHECKOUT, LOGIN, base_inputs

from autosana_action.workflow import Workflow
from autosana_sim import AutosanaSimulator

DB_PASSWORD = "hunter2-db-9c1e"
COMMAND = re.compile(r"^\s*(::|##\[)", re.M)


def test_the_harness_runs_the_action_as_on_github(tmp_path: Path) -> None:
    assert ActionRunner(tmp_path).env({})["GITHUB_ACTIONS"] == "true"


def test_entrypoint_outside_actions_prints_plain_lines(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    runner.extra_env["GITHUB_ACTIONS"] = ""
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},{CHECKOUT}", variables=f"DB_PASSWORD={DB_PASSWORD}"))

    assert result.returncode == 1
    assert not COMMAND.search(result.stdout), result.stdout
    for secret in (API_KEY, DB_PASSWORD):
        assert secret not in result.stdout
    lines = result.stdout.splitlines()
    title = lines.index("error: Checkout Suite › Checkout with expired card")
    assert lines[title + 1] == "  failed: No error message after tapping Pay."
    assert "error: Autosana: 3 passed, 1 failed" in lines
    assert f"Job summary: {runner.workdir / 'summary'}" in lines
    assert "All 4 runs" in lines
    assert "\x1b[" not in result.stdout  # not a terminal
    assert "## ❌ Autosana: 1 of 4 flows failed" in result.summary
    assert result.outputs["result"] == "failed"


def cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "autosana_action", *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_writes_the_summary_to_a_named_file(sim: AutosanaSimulator, tmp_path: Path) -> None:
    args = ["run", "--api-url", sim.url, "--bundle-id", "com.company.app", "--platform", "android"]
    args += ["--suite-ids", CHECKOUT, "--poll-interval", "0.1", "--variables", f"DB_PASSWORD={DB_PASSWORD}"]
    done = cli(args, tmp_path, AUTOSANA_API_KEY=API_KEY)

    assert done.returncode == 1, done.stdout + done.stderr
    assert not COMMAND.search(done.stdout), done.stdout
    assert API_KEY not in done.stdout and DB_PASSWORD not in done.stdout
    lines = done.stdout.splitlines()
    assert "Job summary: autosana-summary.md" in lines
    assert "## ❌ Autosana: 1 of 2 flows failed" in (tmp_path / "autosana-summary.md").read_text()
    assert "output result=failed" in lines and "output results-json=autosana-results.json" in lines

    again = cli(args, tmp_path, AUTOSANA_API_KEY=API_KEY)
    assert (tmp_path / "autosana-summary.md").read_text().count("## ❌ Autosana") == 1, again.stdout


def test_cli_input_errors_are_plain(tmp_path: Path) -> None:
    done = cli(["run", "--bundle-id", "com.company.app", "--platform", "android"], tmp_path)
    assert done.returncode == 2
    assert not COMMAND.search(done.stdout), done.stdout
    assert "error: Invalid input: api-key\n  Input 'api-key': is required but empty." in done.stdout


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    for env, coloured in (({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)):
        out = Terminal()
        Workflow(env, out).error("it broke", title="Build")
        assert ("\x1b[" in out.getvalue()) is coloured, env
        assert out.getvalue().endswith(
            "error:\x1b[0m Build\n  it broke\n" if coloured else "error: Build\n  it broke\n"
        )
    piped = io.StringIO()
    Workflow({}, piped).warning("careful")
    assert piped.getvalue() == "warning: careful\n"


def test_local_log_masks_without_printing_the_secret() -> None:
    out = io.StringIO()
    wf = Workflow({}, out)
    wf.mask("s3cret-value\nab")
    wf.info("connecting with s3cret-value")
    with wf.group("Runs"), wf.untrusted():
        wf.info("::error::not a command")
    assert out.getvalue() == "connecting with ***\nRuns\n\u200b::error::not a command\n"


def test_on_actions_the_commands_are_unchanged() -> None:
    out = io.StringIO()
    wf = Workflow({"GITHUB_ACTIONS": "true"}, out)
    wf.mask("s3cret-value")
    wf.error("it broke", title="Build")
    with wf.group("Runs"):
        pass
    assert out.getvalue() == "::add-mask::s3cret-value\n::error title=Build::it broke\n::group::Runs\n::endgroup::\n"
