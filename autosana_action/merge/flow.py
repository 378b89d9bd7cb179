"""Merge mode from inputs to outputs: read the matrix jobs' results files, judge each target
again (and verify it with Autosana when an api-key is given), post one comment and one check run
for all of them. Starts nothing on Autosana."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from ..autosana.client import AutosanaClient
from ..autosana.models import is_problem
from ..crash import report_crash
from ..github.base_history import BaseReader
from ..github.context import EventContext
from ..github.forks import SKIPPED_RESULT
from ..outcome import EXIT_OK, EXIT_USAGE, outcome_for
from ..report.base_report import add_merged_base_comparison, store_digest
from ..report.history import State
from ..report.merged import MergedReport, Section, render_merged
from ..report.merged_history import MergedState
from ..report.render import JOB_SUMMARY, RESULT_ICONS, Report
from ..report.results_model import ResultsFile
from ..settings import Settings
from ..verdict import Counts, Result
from ..workflow import Workflow, plain
from .collect import AllForkSkipped, MergeRefused, collect, find
from .combine import merged_report, sections_of
from .publisher import MergePublisher
from .trust import UNVERIFIED_NOTE, VERIFIED_NOTE, Checked, trusted_report, verify

MAX_ANNOTATIONS = 10
COUNT_OUTPUTS = ("passed", "failed", "error", "terminated", "skipped")


def run_merge(settings: Settings, context: EventContext, wf: Workflow, env: Mapping[str, str]) -> int:
    """The exit status of a merge. Like a single job, an unexpected error still completes the
    check run as a failure and leaves ``result=error``."""
    publisher = MergePublisher(settings, context, wf)
    report = MergedReport(
        result=Result.ERROR, headline="The results could not be merged", check_name=settings.check_name
    )
    try:
        return merge_results(settings, context, wf, env, publisher)
    except Exception as exc:  # the check run must not stay missing or in progress, whatever broke
        return report_crash(wf, publisher, report, exc, outputs=lambda: _outputs(report), summary=settings.job_summary)
    finally:
        publisher.ensure_completed()


def merge_results(
    settings: Settings, context: EventContext, wf: Workflow, env: Mapping[str, str], publisher: MergePublisher
) -> int:
    assert settings.results is not None
    deadline = time.monotonic() + settings.timeout_minutes * 60
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    publisher.resolve_pr()
    if context.read_only_fork and settings.on_fork == "skip" and not find(workspace, settings.results):
        return _fork_skipped(wf, settings, "no results files were written")
    previous = publisher.previous_merged_state()
    try:
        files = collect(workspace, settings.results, context.head_sha, allow_other_commits=settings.allow_other_commits)
    except AllForkSkipped as skipped:
        if not settings.api_key.get_secret_value():
            return _fork_skipped(wf, settings, f"{len(skipped.sources)} results files say so")
        # A merge with an API key runs with secrets: its targets should have run. Nothing to verify.
        report = _refusal(
            MergeRefused(
                [
                    f"Every results file ({', '.join(skipped.sources)}) says its job skipped a fork's pull request, so "
                    "nothing was tested and nothing can be verified with Autosana."
                ]
            ),
            settings,
            previous,
            context,
        )
    except MergeRefused as exc:
        report = _refusal(exc, settings, previous, context)
        if exc.only_unreadable_files:
            report.sections = _sections_with_unreadable(settings, context, exc, previous)
    else:
        report = _merged(settings, context, wf, files, previous, deadline=deadline)
        for line in add_merged_base_comparison(report, BaseReader(publisher, settings.base_history).history()):
            wf.notice(line)
    report.branch = context.branch
    report.workflow_run_url = context.workflow_run_url
    store_digest(report)
    _log(wf, report, settings)
    wf.set_outputs(_outputs(report))
    if settings.job_summary:
        wf.write_summary(render_merged(report, JOB_SUMMARY))
    publisher.finish_check(report)
    publisher.upsert_comment(report)
    links = {"comment-url": publisher.comment_url, "check-run-url": publisher.check_run_url}
    wf.set_outputs({name: url for name, url in links.items() if url})
    return EXIT_USAGE if report.refused else outcome_for(report.result, settings.fail_on_results).exit_code


def _merged(
    settings: Settings,
    context: EventContext,
    wf: Workflow,
    files: list[tuple[str, ResultsFile]],
    previous: MergedState | None,
    *,
    deadline: float,
) -> MergedReport:
    wf.info(f"Merging {len(files)} results files: {', '.join(plain(source, 200) for source, _ in files)}")
    checks = _verify_all(settings, context, wf, files, deadline)
    artifact_links = settings.shows_artifact_links(context.private_repo)

    def report_of(source: str, results: ResultsFile, before: State | None) -> Report:
        return trusted_report(
            results,
            source,
            settings.fail_on,
            before,
            artifact_links=artifact_links,
            checked=checks.get(source) if checks is not None else None,
        )

    sections, unexpected = sections_of(files, settings.expected_targets, previous, report_of=report_of)
    for name in unexpected:
        wf.warning(f"Results for target {plain(name, 100)} were merged, but it is not in expected-targets.")
    expected = settings.expected_targets
    if len(expected) == 1 and expected[0].isdigit() and len(files) > int(expected[0]):
        wf.warning(f"{len(files)} results files were merged, but expected-targets says {expected[0]}.")
    posting = [r.target.name for _, r in files if r.job.comment_mode not in (None, "off") or r.job.check_run]
    if posting:
        wf.warning(
            f"The jobs of {plain(', '.join(posting), 300)} post their own comment or check run too; set "
            "comment-mode: off and check-run: false in the matrix jobs so only the merge job posts.",
            title="Matrix jobs post too",
        )
    report = merged_report(sections, previous, check_name=settings.check_name, commit=context.head_sha)
    report.notes.insert(0, VERIFIED_NOTE if checks is not None else UNVERIFIED_NOTE)
    return report


def _sections_with_unreadable(
    settings: Settings, context: EventContext, exc: MergeRefused, previous: MergedState | None
) -> list[Section]:
    """The refused merge still shows every target: each file that could not be read as an
    ``error`` section naming it and why, the others judged as usual (not verified)."""
    artifact_links = settings.shows_artifact_links(context.private_repo)

    def report_of(source: str, results: ResultsFile, before: State | None) -> Report:
        return trusted_report(results, source, settings.fail_on, before, artifact_links=artifact_links, checked=None)

    sections, _ = sections_of(exc.loaded, [], previous, report_of=report_of)
    broken = [
        Section(name=source, report=Report(result=Result.ERROR, headline="unreadable", notes=[why]), source=source)
        for source, why in exc.unreadable
    ]
    return broken + sections


def _verify_all(
    settings: Settings, context: EventContext, wf: Workflow, files: list[tuple[str, ResultsFile]], deadline: float
) -> dict[str, Checked] | None:
    """Autosana's answer for every file's batch, when the merge has an API key."""
    key = settings.api_key.get_secret_value()
    if not key:
        wf.notice(UNVERIFIED_NOTE, title="Results not verified")
        return None
    checks: dict[str, Checked] = {}
    with AutosanaClient(settings.api_url, key, redactor=wf.redactor) as client:
        for source, results in files:
            left = deadline - time.monotonic()
            if left <= 0:
                checks[source] = Checked(problem=f"not verified within timeout-minutes ({settings.timeout_minutes:g})")
                continue
            checks[source] = verify(client, results, context.head_sha, within=left)
    wf.info(f"Verified {sum(c.problem is None for c in checks.values())} of {len(checks)} targets with Autosana.")
    return checks


def _fork_skipped(wf: Workflow, settings: Settings, why: str) -> int:
    """The matrix jobs stepped aside for a fork's pull request (on-fork: skip): so does the merge."""
    wf.notice(
        f"Skipped: the matrix jobs skipped this pull request from a fork ({why}); nothing to merge.",
        title="Autosana skipped a fork's pull request",
    )
    wf.set_outputs({"result": SKIPPED_RESULT})
    if settings.job_summary:
        wf.write_summary(
            "## ⏭️ Autosana: skipped, pull request from a fork\n\n"
            "The matrix jobs skipped this pull request from a fork (`on-fork: skip`): no flows ran and there is "
            "nothing to merge.\n"
        )
    return EXIT_OK


def _outputs(report: Report) -> dict[str, str]:
    counts = report.counts or Counts({})
    outputs = {"result": report.result.value, "total-flows": str(counts.total)}
    outputs.update({f"{s}-flows": str(counts.get(s)) for s in COUNT_OUTPUTS})
    return outputs


def _refusal(
    exc: MergeRefused, settings: Settings, previous: MergedState | None, context: EventContext
) -> MergedReport:
    report = MergedReport(
        result=Result.ERROR,
        headline="The results could not be merged",
        check_name=settings.check_name,
        commit=context.head_sha,
        notes=list(exc.problems),
        refused=True,
    )
    report.state = previous  # keep the record for the next comparison
    return report


def _log(wf: Workflow, report: MergedReport, settings: Settings) -> None:
    if report.refused:
        for problem in report.notes:
            wf.error(plain(problem, 1000), title="Cannot merge the Autosana results")
        return
    with wf.untrusted():
        for section in report.sections:
            headline = section.report.headline if section.report is not None else "missing: no results file"
            wf.info(f"{RESULT_ICONS[section.result]} {plain(section.name, 100)}: {plain(headline, 300)}")
    _annotate_targets(wf, report, settings)
    headline = plain(f"{report.check_name}: {report.headline}", 400)
    level = outcome_for(report.result, settings.fail_on_results).level
    if level == "error":
        wf.error(headline)
    elif level == "warning":
        wf.warning(headline)
    else:
        wf.info(f"{RESULT_ICONS[report.result]} {headline}")


def _annotate_targets(wf: Workflow, report: MergedReport, settings: Settings) -> None:
    annotations = 0
    annotate = wf.error if settings.fail_on_results else wf.warning
    for section in report.sections:
        if section.report is None:
            wf.error(
                f"Target {plain(section.name, 100)} sent no results file: its job failed or was cancelled before "
                "the action finished, or its artifact was not uploaded.",
                title="Missing Autosana results",
            )
            continue
        if section.report.status is None or section.result is Result.PASSED:
            continue
        for group, run in section.report.status.runs():
            if not is_problem(run):
                continue
            annotations += 1
            if annotations > MAX_ANNOTATIONS:
                continue
            message = f"{plain(run.status, 20)}: {plain(run.summary, 500) or 'no summary'}"
            if run.url:
                message += f"\n{plain(run.url, 300)}"
            annotate(message, title=f"{plain(section.name, 60)} › {plain(group.name, 80)} › {plain(run.name, 120)}")
    if annotations > MAX_ANNOTATIONS:
        wf.notice(f"{annotations - MAX_ANNOTATIONS} more runs did not pass; see the job summary.")
