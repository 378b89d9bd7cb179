"""The job summary stays inside GitHub's limit for any batch size, problems first."""

from __future__ import annotations

from support.batches import big_batch

from autosana_action.autosana.models import BatchStatus
from autosana_action.report.render import JOB_SUMMARY_LIMIT, Layout, Report, render, render_job_summary
from autosana_action.verdict import Counts, Result, judge


def report_for(status: BatchStatus) -> Report:
    verdict = judge(status, frozenset({"failed"}))
    return Report(verdict.result, verdict.headline, status=status, counts=verdict.counts, batch_id="b-1")


def test_fifty_thousand_runs_fit_and_keep_every_failure_that_fits() -> None:
    status = big_batch(groups=50, runs_per_group=1000, failing_every=97)
    summary = render_job_summary(report_for(status))
    assert len(summary.encode()) <= JOB_SUMMARY_LIMIT
    failing_shown = summary.count("| ❌ failed | [")
    passed_shown = summary.count("| ✅ passed | [")
    assert failing_shown > 0
    assert passed_shown == 0 or failing_shown == Counts.of(status).get("failed")
    assert "runs are not listed here" in summary


def test_small_batch_is_complete() -> None:
    status = big_batch(groups=2, runs_per_group=3, failing_every=4)
    summary = render_job_summary(report_for(status))
    assert summary.count("| ❌ failed | [") + summary.count("| ✅ passed | [") == 6
    assert "not listed" not in summary


def test_tight_budget_prefers_failures() -> None:
    status = big_batch(groups=3, runs_per_group=20, failing_every=10)
    summary = render(report_for(status), Layout(limit=6000, summary_chars=1000))
    assert len(summary.encode()) <= 6000
    assert summary.count("| ❌ failed | [") == 6
    assert "did not pass" in summary


def test_report_without_status_still_renders() -> None:
    summary = render_job_summary(Report(Result.ERROR, "The flows were not started", notes=["Autosana answered 401"]))
    assert "The flows were not started" in summary and "401" in summary
