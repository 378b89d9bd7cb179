"""Merge mode from inputs to outputs: read the matrix jobs' results files, post one comment and
one check run for all of them. Starts nothing on Autosana and needs no API key."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..autosana.models import is_problem
from ..github.base_history import BaseReader
from ..github.context import EventContext
from ..report.base_report import add_merged_base_comparison, store_digest
from ..report.merged import MergedReport, render_merged
from ..report.merged_history import MergedState
from ..report.render import JOB_SUMMARY, RESULT_ICONS
from ..settings import Settings
from ..verdict import Counts, Result
from ..workflow import Workflow, plain
from .collect import MergeRefused, collect
from .combine import merged_report, sections_of
from .publisher import MergePublisher

MAX_ANNOTATIONS = 10
COUNT_OUTPUTS = ("passed", "failed", "error", "terminated", "skipped")


def merge_results(settings: Settings, context: EventContext, wf: Workflow, env: Mapping[str, str]) -> MergedReport:
    assert settings.results is not None
    publisher = MergePublisher(settings, context, wf)
    workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
    publisher.resolve_pr()
    previous = publisher.previous_merged_state()
    try:
        files = collect(workspace, settings.results, context.head_sha, allow_other_commits=settings.allow_other_commits)
    except MergeRefused as exc:
        report = _refusal(exc, settings, previous, context)
    else:
        wf.info(f"Merging {len(files)} results files: {', '.join(plain(source, 200) for source, _ in files)}")
        sections, unexpected = sections_of(
            files,
            settings.expected_targets,
            previous,
            artifact_links=settings.shows_artifact_links(context.private_repo),
        )
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
        for line in add_merged_base_comparison(report, BaseReader(publisher, settings.base_history).history()):
            wf.notice(line)
    report.branch = context.branch
    report.workflow_run_url = context.workflow_run_url
    store_digest(report)
    _log(wf, report, settings)
    counts = report.counts or Counts({})
    outputs = {"result": report.result.value, "total-flows": str(counts.total)}
    outputs.update({f"{s}-flows": str(counts.get(s)) for s in COUNT_OUTPUTS})
    wf.set_outputs(outputs)
    if settings.job_summary:
        wf.write_summary(render_merged(report, JOB_SUMMARY))
    publisher.finish_check(report)
    publisher.upsert_comment(report)
    links = {"comment-url": publisher.comment_url, "check-run-url": publisher.check_run_url}
    wf.set_outputs({name: url for name, url in links.items() if url})
    return report


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
    _annotate(wf, report, settings)
    headline = f"{report.check_name}: {report.headline}"
    if report.result in (Result.PASSED, Result.TRIGGERED):
        wf.info(f"✅ {plain(headline, 400)}")
    elif report.result is Result.NO_FLOWS or not settings.fail_on_results:
        wf.warning(plain(headline, 400))
    else:
        wf.error(plain(headline, 400))


def _annotate(wf: Workflow, report: MergedReport, settings: Settings) -> None:
    """A missing target, and each run that did not pass (up to MAX_ANNOTATIONS), as annotations."""
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
