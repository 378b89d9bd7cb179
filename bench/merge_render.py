"""Cost of merge mode in-process: reading the matrix jobs' results files, combining them and
rendering the merged comment, check run summary and job summary, for growing matrices."""

from __future__ import annotations

import gc
import tempfile
import time
import tracemalloc
from pathlib import Path

import common  # noqa: F401  (puts tests/ on the path)
from support.batches import LONG_SUMMARY, big_batch

from autosana_action.github.publisher import CHECK_TEXT_LIMIT, COMMENT_LIMIT, comment_marker
from autosana_action.merge.collect import collect
from autosana_action.merge.combine import merged_report, sections_of
from autosana_action.merge.trust import trusted_report
from autosana_action.redaction import Redactor
from autosana_action.report.history import State
from autosana_action.report.merged import render_merged
from autosana_action.report.render import JOB_SUMMARY, Layout, Report
from autosana_action.report.results_file import JobFacts, TargetFacts, write_results
from autosana_action.report.results_model import ResultsFile
from autosana_action.verdict import judge

PATTERN = "results/*/autosana-results.json"


def write_matrix(workspace: Path, targets: int, runs: int) -> None:
    for index in range(targets):
        status = big_batch(4, runs // 4, failing_every=10, summary=LONG_SUMMARY * 2)
        verdict = judge(status, frozenset({"failed"}))
        report = Report(verdict.result, verdict.headline, status=status, counts=verdict.counts, batch_id=f"b{index}")
        name = f"target-{index}"
        write_results(
            report,
            workspace / "results" / name / "autosana-results.json",
            TargetFacts(name),
            JobFacts(),
            redactor=Redactor(),
        )


def merge_and_render(workspace: Path) -> int:
    files = collect(workspace, PATTERN, None, allow_other_commits=True)

    def report_of(source: str, results: ResultsFile, before: State | None) -> Report:
        return trusted_report(results, source, frozenset({"failed"}), before, artifact_links=True, checked=None)

    sections, _ = sections_of(files, [], None, report_of=report_of)
    report = merged_report(sections, None, check_name="Autosana", commit=None)
    outputs = [
        render_merged(report, Layout(limit=COMMENT_LIMIT, summary_chars=400, marker=comment_marker("Autosana"))),
        render_merged(report, Layout(limit=CHECK_TEXT_LIMIT, summary_chars=400)),
        render_merged(report, JOB_SUMMARY),
    ]
    return sum(len(o.encode()) for o in outputs)


def main() -> None:
    print("| targets × runs | read, merge and render (s) | peak memory (MiB) | bytes written |")
    print("|---|---|---|---|")
    for targets, runs in ((3, 100), (50, 100), (50, 1000)):
        with tempfile.TemporaryDirectory() as tmp:
            workspace = Path(tmp)
            write_matrix(workspace, targets, runs)
            gc.collect()
            started = time.perf_counter()
            size = merge_and_render(workspace)
            elapsed = time.perf_counter() - started
            gc.collect()
            tracemalloc.start()
            merge_and_render(workspace)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        print(f"| {targets} × {runs:,} | {elapsed:.3f} | {peak / 2**20:.1f} | {size:,} |")


if __name__ == "__main__":
    main()
