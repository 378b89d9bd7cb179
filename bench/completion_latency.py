"""Time from the batch's completion (on the simulator's clock) to the action's exit, running
entrypoint.py exactly as the end-to-end tests do: PR event, comment and check run to the local
fake GitHub. Prints a Markdown table.

    .venv/bin/python bench/completion_latency.py [--runs 10] [--poll-interval 0.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from action_harness import FAKE_GITHUB_TOKEN, ActionRunner
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example

from autosana_sim import AutosanaSimulator, FlowPlan

SUITE = "99999999-0000-4000-8000-000000000001"


def one_run(poll_interval: str, duration: float) -> tuple[float, float]:
    event = webhook_example("pull_request", action="opened")
    pr = event["pull_request"]
    with (
        AutosanaSimulator() as sim,
        FakeGitHub(token=FAKE_GITHUB_TOKEN) as github,
        tempfile.TemporaryDirectory() as tmp,
    ):
        github.add_pull(event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
        sim.plan(SUITE, "Bench", FlowPlan("a", "passed", duration * 0.5), FlowPlan("b", "passed", duration))
        runner = ActionRunner(Path(tmp), "pull_request", event, github_api_url=github.url)
        inputs = {
            "api-key": "k",
            "api-url": sim.url,
            "bundle-id": "a.b",
            "platform": "ios",
            "suite-ids": SUITE,
            "poll-interval": poll_interval,
        }
        started = time.time()
        result = runner.run(inputs)
        ended = time.time()
        assert result.returncode == 0, result.stdout
        completed = sim.completion_time(result.outputs["batch-id"])
        return ended - completed, (ended - started) - (completed - sim.batches[result.outputs["batch-id"]].created)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--poll-interval", default="0.5")
    args = parser.parse_args()
    latencies, overheads = [], []
    for i in range(args.runs):
        # Vary the completion moment against the polling schedule.
        latency, overhead = one_run(args.poll_interval, 2.0 + 0.37 * i % 1.0)
        latencies.append(latency)
        overheads.append(overhead)
    print(f"| figure (poll-interval {args.poll_interval} s, {args.runs} runs) | mean | median | max |")
    print("|---|---|---|---|")
    for name, values in (
        ("completion to exit (s)", latencies),
        ("overhead: wall time minus batch duration (s)", overheads),
    ):
        print(f"| {name} | {statistics.mean(values):.3f} | {statistics.median(values):.3f} | {max(values):.3f} |")


if __name__ == "__main__":
    main()
