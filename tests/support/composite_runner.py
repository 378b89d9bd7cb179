"""Run composite/action.yml the way the GitHub runner runs a composite action: no INPUT_*
variables; the ``inputs`` context holds every declared input (the given value, else the default
evaluated, else ''); each step's ``env:``, ``with:`` and ``if:`` are evaluated against
``inputs``, ``github``, ``runner``, ``env`` and ``steps``; ``shell: bash`` runs the script file
with ``bash --noprofile --norc -eo pipefail {0}``; every step gets fresh GITHUB_OUTPUT,
GITHUB_ENV, GITHUB_PATH and GITHUB_STEP_SUMMARY files, and GITHUB_ENV/GITHUB_PATH carry over to
later steps; the action's outputs are its ``outputs.<name>.value`` expressions.

The last step (the one that runs the action) is started as a process, so tests can watch its
outputs appear and signal it, exactly as with the Docker action's ActionRunner."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from action_harness import ACTION, FAKE_GITHUB_TOKEN, ROOT, ActionResult, ActionRunner, parse_outputs

from .expressions import as_string, condition, interpolate

COMPOSITE_DIR = ROOT / "composite"
COMPOSITE = yaml.safe_load((COMPOSITE_DIR / "action.yml").read_text())
SHELLS = {"bash": ["bash", "--noprofile", "--norc", "-eo", "pipefail"]}
# A `uses:` step the test stands in for: given its evaluated `with:`, returns its outputs.
UsesStub = Callable[[dict[str, str]], dict[str, str]]


def parse_file_command(raw: str) -> dict[str, str]:
    """GITHUB_OUTPUT / GITHUB_ENV: ``name=value`` lines and ``name<<DELIMITER`` blocks."""
    values: dict[str, str] = {}
    lines = raw.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, i + 1)
            values[name] = "\n".join(lines[i + 1 : end])
            i = end + 1
            continue
        if line.strip():
            name, sep, value = line.partition("=")
            assert sep, f"unexpected file command line {line!r}"
            values[name] = value
        i += 1
    return values


class CompositeRunner(ActionRunner):
    def __init__(self, workdir: Path, *args: Any, runner_temp: Path | None = None, **kwargs: Any) -> None:
        super().__init__(workdir, *args, **kwargs)
        self.runner_temp = runner_temp or workdir / "_temp"
        self.uses_stubs: dict[str, UsesStub] = {}
        self.steps: dict[str, dict[str, Any]] = {}
        self.step_logs: list[tuple[str, str, str]] = []  # name, outcome, log of the steps before the last
        self.job_env: dict[str, str] = {}
        self.extra_path: list[str] = []

    def env(self, inputs: dict[str, str]) -> dict[str, str]:
        base = super().env(inputs)
        env = {k: v for k, v in base.items() if not k.startswith("INPUT_")}
        self.runner_temp.mkdir(parents=True, exist_ok=True)
        env.update(RUNNER_TEMP=str(self.runner_temp), RUNNER_OS="Linux", GITHUB_ACTION_PATH=str(COMPOSITE_DIR))
        return env

    def inputs_context(self, inputs: dict[str, str]) -> dict[str, str]:
        unknown = set(inputs) - set(COMPOSITE["inputs"])
        assert not unknown, f"not inputs of composite/action.yml: {unknown}"
        context: dict[str, str] = {}
        for name, spec in COMPOSITE["inputs"].items():
            default = str(spec.get("default", ""))
            default = interpolate(default, {"github": {"token": FAKE_GITHUB_TOKEN}})
            context[name] = inputs.get(name, default)
        return context

    def contexts(self, env: dict[str, str], inputs: dict[str, str]) -> dict[str, Any]:
        return {
            "inputs": inputs,
            "github": {
                "action_path": str(COMPOSITE_DIR),
                "token": FAKE_GITHUB_TOKEN,
                "workspace": str(self.workdir),
                "event_name": self.event_name,
                "event": self.event,
            },
            "runner": {"temp": str(self.runner_temp), "os": "Linux"},
            "env": {**env, **self.job_env},
            "steps": self.steps,
        }

    def start(self, inputs: dict[str, str]) -> subprocess.Popen[str]:
        env = self.env(inputs)
        given = self.inputs_context(inputs)
        self.steps.clear()
        self.step_logs.clear()
        steps = COMPOSITE["runs"]["steps"]
        assert COMPOSITE["runs"]["using"] == "composite"
        status = "success"
        for step in steps[:-1]:
            outcome = self._run_step(step, env, given, status)
            if outcome == "failure":
                status = "failure"
        last = steps[-1]
        assert status == "success", f"a set-up step failed: {self.step_logs}"
        assert condition(last.get("if"), self.contexts(env, given), status)
        return self._popen(last, env, given, output=self.workdir / "output", summary=self.workdir / "summary")

    def _step_files(self, name: str) -> dict[str, Path]:
        folder = self.runner_temp / "_runner_file_commands"
        folder.mkdir(parents=True, exist_ok=True)
        files = {key: folder / f"{key.lower()}_{name}_{uuid.uuid4().hex}" for key in ("GITHUB_ENV", "GITHUB_PATH")}
        for path in files.values():
            path.write_text("")
        return files

    def _popen(
        self, step: dict[str, Any], env: dict[str, str], inputs: dict[str, str], *, output: Path, summary: Path
    ) -> subprocess.Popen[str]:
        contexts = self.contexts(env, inputs)
        shell = SHELLS[step["shell"]]
        script = self.runner_temp / f"{uuid.uuid4()}.sh"
        script.write_text(interpolate(step["run"], contexts))  # the runner substitutes ${{ }} in run: too
        output.write_text("")
        summary.write_text("")
        files = self._step_files(step.get("id", "step"))
        step_env = {
            **env,
            **self.job_env,
            **{k: interpolate(as_string(v), contexts) for k, v in (step.get("env") or {}).items()},
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            **{k: str(v) for k, v in files.items()},
        }
        if self.extra_path:
            step_env["PATH"] = os.pathsep.join([*reversed(self.extra_path), step_env["PATH"]])
        self._pending_files = files
        return subprocess.Popen(
            [*shell, str(script)],
            env=step_env,
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def _run_step(self, step: dict[str, Any], env: dict[str, str], inputs: dict[str, str], status: str) -> str:
        contexts = self.contexts(env, inputs)
        step_id = step.get("id") or f"__{len(self.steps)}"
        if not condition(step.get("if"), contexts, status):
            self.steps[step_id] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
            self.step_logs.append((step.get("name", step_id), "skipped", ""))
            return "skipped"
        if "uses" in step:
            action = step["uses"].split("@")[0]
            assert re.fullmatch(r"[^@]+@[0-9a-f]{40}", step["uses"].split()[0]), "pin actions by full SHA"
            stub = self.uses_stubs.get(action)
            assert stub, f"the step {step.get('name')!r} would run {action}; give the test a stand-in"
            with_ = {k: interpolate(as_string(v), contexts) for k, v in (step.get("with") or {}).items()}
            self.steps[step_id] = {"outputs": stub(with_), "outcome": "success", "conclusion": "success"}
            self.step_logs.append((step.get("name", step_id), "success", f"uses {action} with {with_}"))
            return "success"
        output = self.runner_temp / f"output_{uuid.uuid4().hex}"
        summary = self.runner_temp / f"summary_{uuid.uuid4().hex}"
        proc = self._popen(step, env, inputs, output=output, summary=summary)
        stdout, stderr = proc.communicate(timeout=600)
        outcome = "success" if proc.returncode == 0 else "failure"
        self._take_file_commands()
        self.steps[step_id] = {
            "outputs": parse_file_command(output.read_text()),
            "outcome": outcome,
            "conclusion": outcome,
        }
        self.step_logs.append((step.get("name", step_id), outcome, stdout + stderr))
        return outcome

    def _take_file_commands(self) -> None:
        files = self._pending_files
        self.job_env.update(parse_file_command(files["GITHUB_ENV"].read_text()))
        self.extra_path += [line for line in files["GITHUB_PATH"].read_text().splitlines() if line.strip()]

    def finish(self, proc: subprocess.Popen[str], timeout: float = 60) -> ActionResult:
        result = super().finish(proc, timeout)
        self._take_file_commands()
        raw = parse_outputs((self.workdir / "output").read_text())
        last_id = COMPOSITE["runs"]["steps"][-1]["id"]
        self.steps[last_id] = {"outputs": raw, "outcome": "success" if proc.returncode == 0 else "failure"}
        contexts = {"steps": self.steps}
        outputs = {name: interpolate(spec["value"], contexts) for name, spec in COMPOSITE["outputs"].items()}
        # A later step cannot tell an empty output from one never set: both read ''.
        result.outputs = {name: value for name, value in outputs.items() if value}
        assert set(COMPOSITE["outputs"]) == set(ACTION["outputs"])
        return result

    @property
    def setup_log(self) -> str:
        return "\n".join(f"[{name}: {outcome}]\n{log}" for name, outcome, log in self.step_logs)
