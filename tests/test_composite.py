"""The composite variant (composite/action.yml) for macOS, Windows and Linux runners: generated
from action.yml, and run the way the runner runs a composite action (no INPUT_* variables, steps
with bash, expressions evaluated) against the simulator and the fake GitHub, with the Docker
action's end-to-end expectations (the e2e, reporting and upload tests run again with this runner)."""

from __future__ import annotations

import inspect
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import test_action_e2e
import test_github_reporting
import test_upload_e2e
import yaml
from action_harness import ACTION, FAKE_GITHUB_TOKEN, ROOT, ActionRunner
from conftest import LOGIN, base_inputs
from support.composite_runner import COMPOSITE, COMPOSITE_DIR, CompositeRunner
from support.fake_github import FakeGitHub
from support.wheels import pip_offline

import autosana_action
from autosana_action.composite import InputsJsonError, inputs_from_json, runner_env
from autosana_sim import AutosanaSimulator

sys.path.insert(0, str(ROOT / "scripts"))
from release_action import SETUP_PYTHON, composite_action_yml

# The Docker action's end-to-end tests that run the action through the `runner` fixture, collected
# again in this module, where `runner` (below) is the composite runner: the same expectations
# (outputs, summary, annotations, masking, cancellation, comment, check run, upload), through the
# other variant.
for _module in (test_action_e2e, test_github_reporting, test_upload_e2e):
    for _name, _test in vars(_module).items():
        if _name.startswith("test_") and "runner" in inspect.signature(_test).parameters:
            globals()[_name] = _test


@pytest.fixture(scope="session")
def shared_runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP for the session: the first run builds the virtual environment (cold), the
    rest reuse it (warm), as steps on one runner do."""
    return tmp_path_factory.mktemp("runner_temp")


@pytest.fixture
def runner(
    tmp_path: Path, pr_event: dict[str, Any], github: FakeGitHub, wheelhouse: Path, shared_runner_temp: Path
) -> CompositeRunner:
    pr = pr_event["pull_request"]
    github.add_pull(pr_event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    composite = CompositeRunner(
        tmp_path, "pull_request", pr_event, github_api_url=github.url, runner_temp=shared_runner_temp
    )
    composite.extra_env.update(pip_offline(wheelhouse))
    return composite


# -- the generated file ----------------------------------------------------------------------


def test_composite_action_yml_is_generated_from_action_yml() -> None:
    assert (COMPOSITE_DIR / "action.yml").read_text() == composite_action_yml(), (
        "run python scripts/release_action.py --write"
    )


def test_same_inputs_descriptions_defaults_and_outputs() -> None:
    assert COMPOSITE["inputs"] == ACTION["inputs"]
    assert {name: spec["description"] for name, spec in COMPOSITE["outputs"].items()} == {
        name: spec["description"] for name, spec in ACTION["outputs"].items()
    }
    for name, spec in COMPOSITE["outputs"].items():
        assert spec["value"] == f"${{{{ steps.autosana.outputs.{name} }}}}"
    assert {k: v for k, v in COMPOSITE.items() if k not in ("inputs", "outputs", "runs", "name")} == {
        k: v for k, v in ACTION.items() if k not in ("inputs", "outputs", "runs", "name")
    }


def test_steps_run_with_bash_and_pin_actions_by_sha() -> None:
    steps = COMPOSITE["runs"]["steps"]
    for step in steps:
        assert step.get("shell") == "bash" or "uses" in step, step
        if "uses" in step:
            assert step["uses"] == SETUP_PYTHON.split(" #")[0]
            assert step["if"] == "steps.python.outputs.path == ''", "setup-python only when no 3.11+ is there"
            assert step["with"]["update-environment"] is False, "the job's own Python is left alone"
    last = steps[-1]
    assert last["id"] == "autosana" and last["env"]["AUTOSANA_INPUTS_JSON"] == "${{ toJSON(inputs) }}"
    assert last["run"].splitlines()[-1].startswith("exec "), "signals must reach the action, not bash"
    for step in steps:
        assert "${{" not in step.get("run", ""), "expressions go through env:, never into the script"


# -- inputs without INPUT_* ------------------------------------------------------------------


def test_inputs_json_keeps_every_character() -> None:
    values = {
        "api-key": "k\"e\\y'$(x)`y`",
        "suite-ids": "a\r\nb\nc",
        "variables": 'A="quoted, with comma"\r\nB=it\'s\r\n',
        "enable-ios-keychain-access-group-remapping": "true",
        "build-path": "D:\\a\\app\\build\\*.apk",
        "check-name": "Autosana (ünïcode ✅)",
    }
    assert inputs_from_json(json.dumps(values, indent=2)) == values


def test_inputs_json_ignores_unknown_names_and_writes_scalars_as_text() -> None:
    raw = inputs_from_json('{"wait": false, "poll-interval": 2, "name": null, "not-an-input": "x"}')
    assert raw == {"wait": "false", "poll-interval": "2", "name": ""}


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '"text"'])
def test_inputs_json_that_is_not_an_object_is_refused(text: str) -> None:
    with pytest.raises(InputsJsonError):
        inputs_from_json(text)


def test_stray_input_variables_never_reach_the_run() -> None:
    env = runner_env({"INPUT_FAIL-ON": "none", "input_wait": "false", "AUTOSANA_INPUTS_JSON": "{}", "PATH": "/bin"})
    assert env == {"PATH": "/bin"}


def test_stray_input_variables_in_the_job_env_are_ignored(sim: AutosanaSimulator, runner: CompositeRunner) -> None:
    runner.extra_env.update({"INPUT_FAIL-ON": "none", "INPUT_SUITE-IDS": "not-a-uuid"})
    result = runner.run(base_inputs(sim, suite_ids=f"{LOGIN},aaaaaaaa-0000-4000-8000-000000000002"))
    assert result.returncode == 1 and result.outputs["result"] == "failed", "fail-on: none leaked in"


def test_hyphens_lines_quotes_and_crlf_arrive_as_in_the_docker_action(
    sim: AutosanaSimulator, runner: CompositeRunner, tmp_path: Path, pr_event: dict[str, Any]
) -> None:
    inputs = base_inputs(
        sim,
        suite_ids=f"{LOGIN}\r\n",
        variables='GREETING=say "hi", it\'s me\r\nPATHS=C:\\Users\\dev;D:\\a\r\nDOLLAR=$HOME `x` $(id)',
        redact="top-secret-value\r\n",
        check_name='Autosana (`$(echo hi)` "q")',
        pr_variables="false",
    )
    composite = runner.run(inputs)
    assert composite.returncode == 0, composite.stdout + composite.stderr
    expected = {"GREETING": 'say "hi", it\'s me', "PATHS": "C:\\Users\\dev;D:\\a", "DOLLAR": "$HOME `x` $(id)"}
    assert sim.calls("/api/v1/flows/run")[-1].body["variables"] == expected
    assert "::add-mask::top-secret-value" in composite.stdout

    docker = ActionRunner(tmp_path / "docker", "pull_request", pr_event, github_api_url=runner.github_api_url)
    docker.workdir.mkdir()
    docker.run(inputs)
    first, second = sim.calls("/api/v1/flows/run")
    assert first.body == second.body, "the same inputs give the same request in both variants"


def test_github_token_default_comes_from_the_github_context(runner: CompositeRunner) -> None:
    assert runner.inputs_context({})["github-token"] == FAKE_GITHUB_TOKEN
    assert runner.inputs_context({})["suite-ids"] == ""
    assert "INPUT_API-KEY" not in runner.env({})


# -- Python and the virtual environment ------------------------------------------------------


def test_cold_then_warm_virtual_environment(sim: AutosanaSimulator, runner: CompositeRunner, tmp_path: Path) -> None:
    runner.runner_temp = tmp_path / "fresh_temp"
    cold = runner.run(base_inputs(sim), timeout=300)
    assert cold.returncode == 0, runner.setup_log + cold.stdout + cold.stderr
    assert "Installing the pinned requirements" in runner.setup_log
    (venv,) = runner.runner_temp.glob("autosana-action-venv-*")
    assert (venv / ".autosana-ready").exists()
    assert runner.steps["venv"]["outputs"]["python"] == str(venv / "bin" / "python")
    warm = runner.run(base_inputs(sim))
    assert warm.returncode == 0
    assert f"Reusing the virtual environment in {venv}" in runner.setup_log
    assert [p.name for p in runner.runner_temp.glob("autosana-action-venv-*")] == [venv.name]


def test_an_unfinished_virtual_environment_is_rebuilt(
    sim: AutosanaSimulator, runner: CompositeRunner, tmp_path: Path
) -> None:
    runner.runner_temp = tmp_path / "fresh_temp"
    runner.run(base_inputs(sim), timeout=300)
    (venv,) = runner.runner_temp.glob("autosana-action-venv-*")
    (venv / ".autosana-ready").unlink()  # a step that died during pip install
    result = runner.run(base_inputs(sim), timeout=300)
    assert result.returncode == 0
    assert "Installing the pinned requirements" in runner.setup_log


def _old_python_only(folder: Path) -> str:
    """A PATH whose python3 and python are 3.10: the runner lacks 3.11+."""
    folder.mkdir()
    for name in ("python3", "python"):
        fake = folder / name
        fake.write_text("#!/bin/sh\necho 'Python 3.10.12'\nexit 1\n")
        fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}"


def test_setup_python_only_when_the_runner_lacks_3_11(
    sim: AutosanaSimulator, runner: CompositeRunner, tmp_path: Path
) -> None:
    asked: list[dict[str, str]] = []

    def setup_python(with_: dict[str, str]) -> dict[str, str]:
        asked.append(with_)
        return {"python-path": sys.executable, "python-version": "3.12.8"}

    runner.uses_stubs["actions/setup-python"] = setup_python
    runner.run(base_inputs(sim))
    assert asked == [], "a runner with 3.11+ does not set up another Python"

    runner.extra_env["PATH"] = _old_python_only(tmp_path / "old")
    result = runner.run(base_inputs(sim))
    assert asked == [{"python-version": "3.12", "update-environment": "false"}]
    assert result.returncode == 0, runner.setup_log + result.stdout
    assert "No Python 3.11+ on PATH" in runner.setup_log


def test_bootstrap_refuses_an_old_python(tmp_path: Path) -> None:
    code = "import runpy, sys; sys.version_info = (3, 10, 0); runpy.run_path(sys.argv[1], run_name='__main__')"
    result = subprocess.run(
        [sys.executable, "-c", code, str(COMPOSITE_DIR / "bootstrap.py")],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": os.environ.get("PATH", ""), "RUNNER_TEMP": str(tmp_path)},
    )
    assert result.returncode == 2 and "needs Python 3.11 or newer" in result.stdout
    assert not list(tmp_path.iterdir()), "nothing was installed"


def test_composite_yaml_parses_as_github_reads_it() -> None:
    text = (COMPOSITE_DIR / "action.yml").read_text()
    assert yaml.safe_load(text)["runs"]["using"] == "composite"
    assert text.startswith("# Generated by scripts/release_action.py")


# -- Windows paths (the rules; the Windows runner itself runs in CI's self-test-composite) ---------


@pytest.mark.parametrize(
    "path", ["C:\\reports\\junit.xml", "C:junit.xml", "\\\\server\\share\\junit.xml", "..\\junit.xml", "a\\..\\..\\x"]
)
def test_windows_paths_outside_the_workspace_are_refused(path: str) -> None:
    from autosana_action.inputs import InvalidInputs
    from autosana_action.settings import parse_settings

    with pytest.raises(InvalidInputs) as caught:
        parse_settings({"api-key": "k", "app-id": "web", "flow-ids": LOGIN, "junit-path": path})
    assert [p.input for p in caught.value.problems] == ["junit-path"]


def test_a_relative_windows_path_is_accepted() -> None:
    from autosana_action.settings import parse_settings

    settings = parse_settings({"api-key": "k", "app-id": "web", "flow-ids": LOGIN, "junit-path": "reports\\junit.xml"})
    assert settings.junit_path == "reports\\junit.xml"


def test_the_venv_python_is_under_scripts_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bootstrap", COMPOSITE_DIR / "bootstrap.py")
    assert spec and spec.loader
    bootstrap = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bootstrap)
    venv, expected = Path("venv"), Path("venv", "Scripts", "python.exe")  # made before os.name changes
    monkeypatch.setattr(bootstrap.os, "name", "nt")
    assert bootstrap.venv_python(venv) == expected


@pytest.mark.parametrize(("value", "words"), [(None, "is not set"), ("[]", "is not a JSON object")])
def test_run_step_without_usable_inputs_json_says_why(value: str | None, words: str) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "GITHUB_ACTIONS": "true"}
    if value is not None:
        env["AUTOSANA_INPUTS_JSON"] = value
    result = subprocess.run(
        [sys.executable, str(COMPOSITE_DIR / "run.py")], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert result.stdout.startswith("::error::AUTOSANA_INPUTS_JSON ") and words in result.stdout


def test_the_release_guard_refuses_an_outdated_composite_action(tmp_path: Path) -> None:
    """The release workflow's `--check` fails when composite/action.yml was not regenerated."""
    for path in ("action.yml", "release/action.yml", "composite/action.yml", "autosana_action/__init__.py"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text((ROOT / path).read_text())
    script = tmp_path / "scripts" / "release_action.py"
    script.parent.mkdir()
    script.write_text((ROOT / "scripts" / "release_action.py").read_text())

    def release_action(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, check=False)

    assert release_action("--check", autosana_action.__version__).returncode == 0
    stale = (tmp_path / "composite" / "action.yml").read_text()
    action = tmp_path / "action.yml"
    action.write_text(action.read_text().replace("Number of flows that passed.", "Flows that passed."))
    assert release_action("--write").returncode == 0
    assert "Flows that passed." in (tmp_path / "composite" / "action.yml").read_text(), "--write regenerates it"
    (tmp_path / "composite" / "action.yml").write_text(stale)
    failed = release_action("--check", autosana_action.__version__)
    assert failed.returncode == 1
    assert failed.stdout.splitlines() == [
        "::error::composite/action.yml is out of date: run python scripts/release_action.py --write"
    ]
