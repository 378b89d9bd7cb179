"""From how polling ended to what the report says: the verdict on a finished batch, or a
timeout, a cancel or a refused status request, with the progress made."""

from __future__ import annotations

from ..autosana.models import FAILED, PASSED, SKIPPED, BatchStatus, TriggerResponse
from ..poll.poller import Outcome, PollResult
from ..settings import Settings
from ..verdict import REPORTED_AS_FAILED, Counts, Result, Verdict, judge
from .render import Report


def conclude(report: Report, polled: PollResult, settings: Settings, trigger: TriggerResponse) -> list[str]:
    """Fill the report's result, headline and notes from how polling ended; the warnings it
    returns (teardown failures) are for the log."""
    status = polled.status
    report.status = status
    if status is not None:
        report.counts = Counts.of(status)
        _adopt_batch_facts(report, status)
    minutes = f"{settings.timeout_minutes:g} min"
    if polled.outcome is Outcome.COMPLETE and status is not None:
        verdict = judge(status, settings.fail_on, trigger.flow_run_count)
        report.skips_fail = SKIPPED in (settings.fail_on or REPORTED_AS_FAILED)
        report.result, report.headline, report.problems = (
            verdict.result,
            verdict.headline,
            verdict.problems,
        )
        report.short_titles[verdict.headline] = short_title(verdict)
        report.notes += [f"{failure[:1].upper()}{failure[1:]}." for failure in verdict.failures]
        report.notes += [f"⚠️ {warning}" for warning in verdict.warnings]
        if trigger.errors:
            # Requested tests never ran: not a verdict fail-on may let through, whatever ran.
            report.result = Result.ERROR
            report.headline = f"{len(trigger.errors)} requested test submission(s) failed; {report.headline}"
            report.short_titles[report.headline] = f"{len(trigger.errors)} requested test submission(s) failed"
        if not settings.fail_on_results and not verdict.green:
            report.notes.append("fail-on is none, so this result does not fail the step.")
        return list(verdict.warnings)
    progress = ""
    if report.counts is not None:
        finished = report.counts.total - report.counts.other
        progress = f" with {finished} of {report.counts.total} flows finished"
    if polled.outcome is Outcome.TIMED_OUT:
        report.result = Result.TIMED_OUT
        report.headline = f"Timed out after {minutes}{progress}"
        report.notes.append("The flows may still be running on Autosana; raise timeout-minutes if they need longer.")
    elif polled.outcome is Outcome.CANCELLED:
        report.result = Result.CANCELLED
        report.headline = f"Cancelled{progress}"
        report.notes.append("The workflow was cancelled; the flows may still be running on Autosana.")
    else:
        report.result = Result.ERROR
        report.headline = f"Stopped polling: Autosana refused the status request{progress}"
    if polled.error:
        report.notes.append(f"Last error: {polled.error}")
    return []


def short_title(verdict: Verdict) -> str:
    """The verdict and its most important number; the counts table and the notes carry the rest."""
    counts = verdict.counts
    if verdict.result is not Result.FAILED or not counts.total:
        return verdict.headline
    bad = counts.total - counts.get(PASSED)
    if bad == 0:
        return verdict.headline
    kinds = {status for status in counts.by_status if status != PASSED}
    return f"{bad} of {counts.total} flows {'failed' if kinds == {FAILED} else 'did not pass'}"


def _adopt_batch_facts(report: Report, status: BatchStatus) -> None:
    """The batch knows best what it ran on."""
    if status.app and status.app.name:
        report.app = f"{status.app.name} ({status.app.id or report.app}, {status.app.platform or '?'})"
    if status.git and status.git.commit_sha:
        report.commit = status.git.commit_sha
    if status.git and status.git.branch:
        report.branch = status.git.branch
