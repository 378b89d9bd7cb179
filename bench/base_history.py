"""What the base-branch comparison and the progress updates cost, in process against the local
fake GitHub (real HTTP, PyGithub, OpenAPI-checked requests). Prints two Markdown tables:

- GitHub reads and wall time the comparison adds (reading N base commits' check runs, decoding
  their digests, classifying and rendering), for N = 10 and 100 flows per run (and N = 100 commits);
- progress updates sent per minute of polling, for several poll intervals, when a flow finishes
  at every poll (the worst case for the throttle).

    .venv/bin/python bench/base_history.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from action_harness import FAKE_GITHUB_TOKEN
from support.fake_github import FakeGitHub

from autosana_action.autosana.models import BatchStatus
from autosana_action.github.base_history import BaseReader
from autosana_action.github.context import EventContext
from autosana_action.github.progress import Progress
from autosana_action.github.publisher import GitHubPublisher
from autosana_action.report.base_report import add_base_comparison
from autosana_action.report.digest import Digest, Outcome
from autosana_action.report.history import run_key
from autosana_action.report.render import Report, render_job_summary
from autosana_action.settings import parse_settings
from autosana_action.verdict import Result
from autosana_action.workflow import Workflow

REPO = "octo-org/octo-repo"
HEAD = "c" * 40


def status(flows: int, *, complete: bool = True, finished: int | None = None) -> BatchStatus:
    done = flows if finished is None else finished
    runs = [
        {
            "id": f"r{i}",
            "name": f"Flow {i}",
            "status": ("failed" if i % 10 == 0 else "passed") if i < done else "running",
        }
        for i in range(flows)
    ]
    group = {"name": "Bench", "status": "failed", "runs": runs}
    return BatchStatus.model_validate({"is_complete": complete, "run_groups": [group]})


def publisher(github: FakeGitHub, count: int) -> GitHubPublisher:
    raw = {"api-key": "k", "bundle-id": "a.b", "platform": "ios", "suite-ids": "", "labels": "smoke"}
    settings = parse_settings(raw | {"github-token": FAKE_GITHUB_TOKEN, "base-history": str(count)})
    context = EventContext(
        event_name="pull_request", repository=REPO, pr_number=7, head_sha=HEAD, api_url=github.url, base_ref="main"
    )
    return GitHubPublisher(settings, context, Workflow({"GITHUB_ACTIONS": "true"}, io.StringIO()))


def comparison_cost(commits: int, flows: int, repeat: int) -> tuple[int, float, float]:
    """GitHub requests, median ms of the reads, median ms of compare + render."""
    reads, times, renders = 0, [], []
    for _ in range(repeat):
        with FakeGitHub(token=FAKE_GITHUB_TOKEN) as github:
            github.add_pull(REPO, 7, HEAD)
            shas = [f"{n:040x}" for n in range(1, commits + 1)]
            github.add_commits(REPO, "main", shas)
            outcomes = {
                run_key("Bench", f"Flow {i}"): Outcome.FAILED if i % 7 == 0 else Outcome.PASSED for i in range(flows)
            }
            for sha in shas:
                github.add_check_run(REPO, sha, "Autosana", Digest({"": outcomes}, "main").encode())
            before = len(github.requests)
            pub = publisher(github, commits)
            started = time.perf_counter()
            history = BaseReader(pub, commits).history()
            times.append((time.perf_counter() - started) * 1000)
            reads = len(github.requests) - before
            assert history is not None and len(history.runs) == commits, history
            report = Report(result=Result.FAILED, headline="bench", status=status(flows))
            started = time.perf_counter()
            add_base_comparison(report, history)
            render_job_summary(report)
            renders.append((time.perf_counter() - started) * 1000)
    return reads, statistics.median(times), statistics.median(renders)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def updates_per_minute(poll_interval: float) -> tuple[int, float]:
    """Progress updates in one minute of polling where a flow finishes at every poll; median ms each."""
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as github:
        github.add_pull(REPO, 7, HEAD)
        pub = publisher(github, 0)
        pub.start_check("batch", None)
        clock = Clock()
        progress = Progress(pub, clock=clock)
        polls = int(60 / poll_interval)
        spent = []
        for n in range(1, polls + 1):
            clock.now = n * poll_interval
            started = time.perf_counter()
            progress.offer(status(polls + 1, complete=False, finished=n))
            spent.append((time.perf_counter() - started) * 1000)
        return progress.writes, max(spent)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| base commits (N) | flows per run | GitHub reads | reads, ms (median) | compare + render, ms |")
    print("|---:|---:|---:|---:|---:|")
    for commits, flows in ((10, 10), (10, 100), (100, 100)):
        reads, ms, render_ms = comparison_cost(commits, flows, args.repeat)
        print(f"| {commits} | {flows} | {reads} | {ms:.0f} | {render_ms:.1f} |")
    print()
    print("| poll interval, s | polls per minute | progress updates per minute | slowest poll hook, ms |")
    print("|---:|---:|---:|---:|")
    for interval in (1.0, 5.0, 10.0, 15.0):
        writes, slowest = updates_per_minute(interval)
        print(f"| {interval:g} | {int(60 / interval)} | {writes} | {slowest:.0f} |")


if __name__ == "__main__":
    main()
