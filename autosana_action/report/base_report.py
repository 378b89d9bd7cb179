"""A report beside the base branch: the comparison put into the report, and the opt-in that lets
failures the base shares count as warnings. By default the verdict does not change (fail closed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..verdict import Result
from .base_compare import BaseHistory, compare, treat_base_failures_as_warnings
from .digest import Digest, flow_outcomes
from .merged import MergedReport
from .render import Report


@dataclass
class Said:
    """What to tell the log about the comparison."""

    notices: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def add_base_comparison(report: Report, history: BaseHistory | None, *, as_warnings: bool = False) -> Said:
    """Compare ``report``'s runs with ``history``; with ``as_warnings``, failures that all also fail
    on the base pass as warnings."""
    said = Said()
    if history is None or report.status is None:
        return said
    report.base = compare(history, report.status)
    said.notices += report.base.notes
    if (
        as_warnings
        and report.result is Result.FAILED
        and not report.problems
        and treat_base_failures_as_warnings(report.base, report.status)
    ):
        names = report.base.as_warnings
        report.result = Result.PASSED
        report.headline += (
            f"; {len(names)} failure{'s' * (len(names) != 1)} also failing on {history.branch} "
            "treated as warnings (base-failures-as-warnings)"
        )
        said.warnings += [
            f"{name} also fails on {history.branch}; treated as a warning (base-failures-as-warnings)" for name in names
        ]
    return said


def add_merged_base_comparison(report: MergedReport, history: BaseHistory | None) -> list[str]:
    """Merge mode: each target beside the same target's results on the base; what is said about
    the base as a whole (a refused read, no history yet) is said once, for the whole report."""
    if history is None:
        return []
    said: list[str] = []
    for section in report.sections:
        if section.report is not None and section.report.status is not None:
            section.report.base = compare(history, section.report.status, target=section.name)
            said += section.report.base.notes
            section.report.base.notes = []
    once = list(dict.fromkeys(said))
    report.notes += once
    return once


def store_digest(report: Report) -> None:
    """Our check run's output ``text`` becomes the digest alone (a hidden comment, so nothing
    shows), for a batch that completed only (a timed-out or cancelled one would pass for what the
    base does); per target for a merged report."""
    if isinstance(report, MergedReport):
        targets = {
            s.name: flow_outcomes(s.report.status)
            for s in report.sections
            if s.report is not None and s.report.status is not None and s.report.status.is_complete
        }
        if targets:
            report.check_output["text"] = Digest(targets, report.branch).encode()
    elif report.status is not None and report.status.is_complete:
        report.check_output["text"] = Digest.of(report.status, branch=report.branch).encode()
