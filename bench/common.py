"""Shared set-up for the benchmarks: the simulator, the fake GitHub and the runner harness of
the end-to-end tests, so a benchmark measures exactly what the tests exercise."""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from action_harness import FAKE_GITHUB_TOKEN, ActionResult, ActionRunner
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_sim import AutosanaSimulator, FlowPlan

SUITE = "99999999-0000-4000-8000-000000000001"


@dataclass
class Stage:
    sim: AutosanaSimulator
    github: FakeGitHub
    runner: ActionRunner
    event: dict[str, Any]

    def inputs(self, **extra: str) -> dict[str, str]:
        inputs = {
            "api-key": "k",
            "api-url": self.sim.url,
            "bundle-id": "com.company.app",
            "platform": "android",
            "suite-ids": SUITE,
        }
        inputs.update(extra)
        return inputs

    def run(self, **extra: str) -> tuple[ActionResult, float, float]:
        """The result, and the wall-clock start and end of the action's process."""
        started = time.time()
        result = self.runner.run(self.inputs(**extra), timeout=600)
        return result, started, time.time()


@contextmanager
def stage(flows: list[FlowPlan], earlier_comments: int = 0) -> Iterator[Stage]:
    event = webhook_example("pull_request", action="opened")
    pr, repo = event["pull_request"], event["repository"]["full_name"]
    with (
        AutosanaSimulator() as sim,
        FakeGitHub(token=FAKE_GITHUB_TOKEN) as github,
        tempfile.TemporaryDirectory() as tmp,
    ):
        github.add_pull(repo, pr["number"], pr["head"]["sha"], pr["head"]["ref"])
        for i in range(earlier_comments):
            github.add_comment(repo, pr["number"], f"earlier comment {i}")
        sim.plan(SUITE, "Bench Suite", *flows)
        yield Stage(sim, github, ActionRunner(Path(tmp), "pull_request", event, github_api_url=github.url), event)
