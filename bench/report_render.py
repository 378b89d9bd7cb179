"""Rendering cost of the whole report (PR comment, check run summary, job summary, JUnit XML,
results file) for large batches: time and peak memory, in-process."""

from __future__ import annotations

import gc
import json
import time
import tracemalloc
from datetime import UTC, datetime, timedelta

import common  # noqa: F401  (puts tests/ on the path)
from support.batches import LONG_SUMMARY, big_batch

from autosana_action.autosana.models import BatchStatus, RunAction, RunDetail, RunIssue
from autosana_action.explain.details import MAX_PASSED_DETAILS, MAX_PROBLEM_DETAILS
from autosana_action.github.publisher import CHECK_TEXT_LIMIT, COMMENT_LIMIT, comment_marker
from autosana_action.report.junit import junit_xml
from autosana_action.report.render import Layout, Report, render, render_job_summary
from autosana_action.report.results_file import results_document
from autosana_action.verdict import judge


def batch(runs: int, groups: int = 50) -> BatchStatus:
    return big_batch(groups, runs // groups, failing_every=10, summary=LONG_SUMMARY * 2)


def details_for(status: BatchStatus) -> dict[str, RunDetail]:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    problems = [r for _, r in status.runs() if r.status != "passed"][:MAX_PROBLEM_DETAILS]
    passed = [r for _, r in status.runs() if r.status == "passed"][:MAX_PASSED_DETAILS]
    return {
        run.id: RunDetail(
            run_id=run.id,
            status=run.status,
            started_at=start,
            completed_at=start + timedelta(seconds=42),
            issues=[RunIssue(type="functional", severity="major", title="Spinner never stops")],
            device_log_url="https://storage.example.com/device.log",
            actions=[
                RunAction(
                    position=i,
                    type="tap",
                    status="failed" if i == 6 else "passed",
                    description="Tap 'Pay'",
                    screenshot_url="https://storage.example.com/shot.png",
                )
                for i in range(1, 7)
            ],
        )
        for run in problems + passed
    }


def render_all(report: Report) -> int:
    marker = comment_marker("Autosana")
    outputs = [
        render(report, Layout(limit=COMMENT_LIMIT, summary_chars=400, marker=marker)),
        render(report, Layout(limit=CHECK_TEXT_LIMIT, summary_chars=400)),
        render_job_summary(report),
    ]
    junit = junit_xml(report)
    results = json.dumps(results_document(report))
    return sum(len(o.encode()) for o in outputs) + len(junit) + len(results)


def measure(runs: int) -> tuple[float, float, int]:
    status = batch(runs)
    verdict = judge(status, frozenset({"failed", "error", "terminated"}))
    report = Report(
        verdict.result,
        verdict.headline,
        status=status,
        counts=verdict.counts,
        batch_id="b",
        details=details_for(status),
    )
    gc.collect()
    started = time.perf_counter()
    size = render_all(report)
    elapsed = time.perf_counter() - started
    # Memory on a fresh report (rows are cached per report), traced apart from the timing,
    # which tracing would slow several times over.
    report = Report(
        verdict.result, verdict.headline, status=status, counts=verdict.counts, batch_id="b", details=report.details
    )
    gc.collect()
    tracemalloc.start()
    render_all(report)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak / 2**20, size


def main() -> None:
    print("| runs | render all (s) | peak memory (MiB) | bytes written |")
    print("|---|---|---|---|")
    for runs in (500, 5_000, 50_000):
        elapsed, peak, size = measure(runs)
        print(f"| {runs:,} | {elapsed:.3f} | {peak:.1f} | {size:,} |")


if __name__ == "__main__":
    main()
