"""The action's own cost around the flows: start-up, overhead, completion-to-exit latency and
API calls, measured by running entrypoint.py as the end-to-end tests do (PR event, the
simulator, comment and check run to the local fake GitHub)."""

from __future__ import annotations

import argparse
import itertools
import math
import statistics

from common import stage

from autosana_action.github.publisher import comment_marker
from autosana_sim import FlowPlan


def flows(duration: float) -> list[FlowPlan]:
    return [
        FlowPlan("Sign in", "passed", duration * 0.4, "ok"),
        FlowPlan("Search", "passed", duration * 0.7, "ok"),
        FlowPlan("Checkout", "failed", duration, "The total did not update."),
    ]


def fast_polling(runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {"startup": [], "overhead": [], "latency": []}
    for i in range(runs):
        duration = 2.0 + (0.37 * i) % 1.0  # completion lands at different points of the schedule
        with stage(flows(duration)) as st:
            result, started, ended = st.run(**{"poll-interval": "0.5"})
            batch = st.sim.batches[result.outputs["batch-id"]]
            completed = st.sim.completion_time(batch.id)
            figures["startup"].append(st.sim.requests[0].at - started)
            figures["overhead"].append((ended - started) - (completed - batch.created))
            figures["latency"].append(ended - completed)
    return figures


def default_interval(interval: float) -> tuple[float, float, float, int]:
    """Mean gap between polls, the tail from the last poll to exit, and their expected sum for a
    completion moment uniform over the gap."""
    with stage(flows(2 * interval + 1.0)) as st:
        _, _, ended = st.run(**{"poll-interval": f"{interval:g}"})
        polls = [r.at for r in st.sim.requests if r.path == "/api/v1/runs/status"]
        gaps = [b - a for a, b in itertools.pairwise(polls)]
        tail = ended - polls[-1]
        return statistics.mean(gaps), tail, statistics.mean(gaps) / 2 + tail, len(polls)


def api_calls() -> tuple[int, int, int, int]:
    """Status calls against the polls the schedule allows, and GitHub calls with the sticky
    comment on the second page of comments."""
    duration, interval = 1.5, 0.5
    with stage(flows(duration), earlier_comments=100) as st:
        repo, number = st.event["repository"]["full_name"], st.event["pull_request"]["number"]
        st.github.add_comment(repo, number, comment_marker("Autosana") + "old", "github-actions[bot]", "Bot")
        before = len(st.github.requests)
        st.run(**{"poll-interval": f"{interval:g}"})
        status_calls = len([r for r in st.sim.requests if r.path == "/api/v1/runs/status"])
        pages = len([r for r in st.github.requests[before:] if r.method == "GET" and r.path.endswith("/comments")])
        return status_calls, math.ceil(duration / interval) + 1, len(st.github.requests) - before, pages


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--interval", type=float, default=10.0, help="the default poll-interval")
    args = parser.parse_args()
    fast = fast_polling(args.runs)
    gap, tail, expected, polls = default_interval(args.interval)
    status_calls, schedule, github_calls, pages = api_calls()
    print("| figure | value | target |")
    print("|---|---|---|")
    print(
        f"| start-up: process start to first HTTP request (median of {args.runs}) | "
        f"{statistics.median(fast['startup']):.3f} s | ≤ 0.3 s |"
    )
    print(
        f"| overhead: wall time minus batch duration, poll-interval 0.5 s (median, max) | "
        f"{statistics.median(fast['overhead']):.3f} s, {max(fast['overhead']):.3f} s | ≤ 1.0 s |"
    )
    print(
        f"| completion to exit, poll-interval 0.5 s (median, max) | "
        f"{statistics.median(fast['latency']):.3f} s, {max(fast['latency']):.3f} s | ≤ 0.75 s |"
    )
    print(
        f"| completion to exit, poll-interval {args.interval:g} s: mean gap {gap:.3f} s over {polls} polls, "
        f"tail {tail:.3f} s, expected gap/2 + tail | {expected:.3f} s | ≤ {args.interval / 2 + 0.5:g} s |"
    )
    print(
        f"| Autosana status calls, 1.5 s batch at 0.5 s (polls the schedule allows) | {status_calls} ({schedule}) | "
        "1 per poll |"
    )
    print(f"| GitHub calls, PR with 100 earlier comments (comment pages) | {github_calls} ({pages}) | ≤ 5 + {pages} |")


if __name__ == "__main__":
    main()
