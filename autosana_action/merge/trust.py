"""What a merge may believe of a results file. Another job wrote it, and with artifacts from a
fork's run (the ``workflow_run`` recipe) anyone may have: so its stated result is never taken as
given. Each target is judged again with the verdict a single job uses, and, when the merge has an
API key, from Autosana's own answer for the file's batch instead of the file's runs.

Fail closed: a stated result better than what its runs (or Autosana) say, a batch Autosana does
not know, is still running or ran for another commit, or a green claim that cannot be checked,
makes that target an ``error`` that names the file and the reason."""

from __future__ import annotations

from dataclasses import dataclass

from ..autosana.client import AutosanaClient
from ..autosana.errors import ApiError
from ..autosana.models import BatchStatus
from ..report.history import Comparison, State
from ..report.render import Report
from ..report.results_model import ResultsFile
from ..verdict import Counts, Result, judge
from .combine import NOT_FAILING, RESULT_ORDER

# Results a job reaches without a complete batch, which the runs cannot contradict.
WITHOUT_A_VERDICT = frozenset(
    {Result.TIMED_OUT, Result.CANCELLED, Result.ERROR, Result.TRIGGERED, Result.UPLOADED, Result.SKIPPED}
)
VERIFIED_NOTE = "Verified with Autosana: each target's section is built from Autosana's answer for its batch."
UNVERIFIED_NOTE = (
    "Not verified: without an api-key the merge believes the results files as the matrix jobs wrote them "
    "(their results are judged again from their own runs). Set api-key to check each batch with Autosana."
)


@dataclass(frozen=True)
class Checked:
    """Autosana's answer for one file's batch: the status, or why the target cannot pass."""

    status: BatchStatus | None = None
    problem: str | None = None


def _worse(a: Result, b: Result) -> Result:
    return min(a, b, key=RESULT_ORDER.index)


def verify(client: AutosanaClient, results: ResultsFile, head_sha: str | None, *, within: float) -> Checked:
    """Re-read the file's batch from Autosana: it must exist, be complete and (where Autosana
    says which commit it ran for) belong to this commit."""
    if not results.batch_id:
        if results.result in NOT_FAILING:
            return Checked(problem=f"it says {results.result.value}, but names no batch, so it cannot be verified")
        return Checked()  # nothing ran; a result that fails needs no proof
    try:
        status = client.batch_status(results.batch_id, within=within)
    except ApiError as exc:
        return Checked(problem=f"Autosana could not confirm batch {results.batch_id[:64]}: {exc}")
    if not status.is_complete:
        return Checked(status, f"Autosana says batch {results.batch_id[:64]} is not complete")
    theirs = status.git.commit_sha if status.git else None
    if theirs and head_sha and theirs.lower() != head_sha.lower():
        return Checked(status, f"Autosana says batch {results.batch_id[:64]} ran for commit {theirs[:12]}")
    return Checked(status)


def trusted_report(
    results: ResultsFile,
    source: str,
    fail_on: frozenset[str],
    previous: State | None,
    *,
    artifact_links: bool,
    checked: Checked | None,
) -> Report:
    """The target's report as the merge believes it. ``checked`` is None when not verifying."""
    report = results.report(previous, artifact_links=artifact_links)
    if checked is not None:
        _from_autosana(report, checked.status, previous)
        if checked.problem:
            return _error(report, source, checked.problem)
    status = report.status
    stated = results.result
    if status is not None and status.is_complete:
        verdict = judge(status, fail_on)
        if RESULT_ORDER.index(stated) > RESULT_ORDER.index(verdict.result):
            said = "Autosana says" if checked is not None else "its runs say"
            return _error(report, source, f"it says {stated.value}, but {said} {verdict.result.value}")
        report.result = _worse(stated, verdict.result)
        if report.result is verdict.result:
            report.headline, report.problems = verdict.headline, list(verdict.problems)
        return report
    if stated not in WITHOUT_A_VERDICT:
        return _error(report, source, f"it says {stated.value}, but its batch is not complete")
    return report


def _from_autosana(report: Report, status: BatchStatus | None, previous: State | None) -> None:
    """The section shows Autosana's runs, never the file's (nor the file's run details)."""
    report.status = status
    report.counts = Counts.of(status) if status is not None else None
    report.details = {}
    report.comparison = Comparison.between(previous, status) if previous is not None and status else None


def _error(report: Report, source: str, why: str) -> Report:
    report.result = Result.ERROR
    report.headline = f"Not believed: {why}"
    report.notes.insert(0, f"{source}: {why}; this target counts as an error.")
    return report
