"""Run entrypoint.py the way the GitHub runner runs a Docker action: every action.yml input as
INPUT_<NAME> (upper-cased, hyphens kept; defaults filled in, empty string when unset), file
commands in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY, the event payload at GITHUB_EVENT_PATH."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
ENTRYPOINT = ROOT / "entrypoint.py"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
FAKE_GITHUB_TOKEN = "ghs_faketoken0123456789abcdefghijklmnopqr"


def parse_outputs(raw: str) -> dict[str, str]:
    """Read GITHUB_OUTPUT the way the runner does (heredoc form only; we write nothing else)."""
    outputs: dict[str, str] = {}
    lines = raw.splitlines()
    i = 0
    while i < len(lines):
        match = re.fullmatch(r"([^<=]+)<<(.+)", lines[i])
        assert match, f"unexpected line in GITHUB_OUTPUT: {lines[i]!r}"
        name, delimiter = match.groups()
        end = lines.index(delimiter, i + 1)
        outputs[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return outputs


def workflow_commands(stdout: str) -> list[tuple[str, str]]:
    """The commands the runner would act on, honouring stop-commands like it does."""
    found: list[tuple[str, str]] = []
    stopped_by: str | None = None
    for line in stdout.splitlines():
        stripped = line.strip()
        if stopped_by is not None:
            if stripped == f"::{stopped_by}::":
                stopped_by = None
            continue
        match = re.match(r"^::([A-Za-z-]+)(?: [^:]*)?::(.*)$", stripped)
        if not match:
            continue
        name, message = match.groups()
        if name == "stop-commands":
            stopped_by = message
        found.append((name, message))
    return found


@dataclass
class ActionResult:
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str

    def commands(self, name: str) -> list[str]:
        return [message for command, message in workflow_commands(self.stdout) if command == name]


class ActionRunner:
    def __init__(
        self,
        workdir: Path,
        event_name: str = "pull_request",
        event: dict[str, Any] | None = None,
        *,
        github_api_url: str = "http://127.0.0.1:9",
    ) -> None:
        self.workdir = workdir
        self.github_api_url = github_api_url
        self.event_name = event_name
        self.event = event if event is not None else {}
        self.extra_env: dict[str, str] = {}

    def env(self, inputs: dict[str, str]) -> dict[str, str]:
        unknown = set(inputs) - set(ACTION["inputs"])
        assert not unknown, f"not inputs of action.yml: {unknown}"
        event_path = self.workdir / "event.json"
        event_path.write_text(json.dumps(self.event))
        for name in ("output", "summary"):  # the runner gives every step fresh files
            (self.workdir / name).write_text("")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.workdir),
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_EVENT_NAME": self.event_name,
            "GITHUB_EVENT_PATH": str(event_path),
            "GITHUB_OUTPUT": str(self.workdir / "output"),
            "GITHUB_STEP_SUMMARY": str(self.workdir / "summary"),
            "GITHUB_WORKSPACE": str(self.workdir),
            "GITHUB_REPOSITORY": str(self.event.get("repository", {}).get("full_name", "octo-org/octo-repo")),
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_API_URL": self.github_api_url,
            "GITHUB_RUN_ID": "4242",
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_SHA": "0000000000000000000000000000000000000000",
            "GITHUB_REF": "refs/heads/main",
            "GITHUB_REF_NAME": "main",
        }
        for name, spec in ACTION["inputs"].items():
            default = str(spec.get("default", ""))
            if default == "${{ github.token }}":
                default = FAKE_GITHUB_TOKEN
            env[f"INPUT_{name.upper()}"] = inputs.get(name, default)
        env.update(self.extra_env)
        return env

    def start(self, inputs: dict[str, str]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(ENTRYPOINT)],
            env=self.env(inputs),
            cwd=self.workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self, proc: subprocess.Popen[str], timeout: float = 60) -> ActionResult:
        stdout, stderr = proc.communicate(timeout=timeout)
        return ActionResult(
            proc.returncode,
            stdout,
            stderr,
            parse_outputs((self.workdir / "output").read_text()),
            (self.workdir / "summary").read_text(),
        )

    def run(self, inputs: dict[str, str], timeout: float = 60) -> ActionResult:
        return self.finish(self.start(inputs), timeout)

    def wait_for_output(self, name: str, proc: subprocess.Popen[str], within: float = 20) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            raw = (self.workdir / "output").read_text()
            if f"{name}<<" in raw:
                return parse_outputs(raw)[name]
            assert proc.poll() is None, "the action exited early"
            time.sleep(0.05)
        raise AssertionError(f"output {name} never appeared")

    def interrupt(self, proc: subprocess.Popen[str], sig: signal.Signals = signal.SIGTERM) -> None:
        proc.send_signal(sig)
