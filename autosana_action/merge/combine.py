"""From the matrix jobs' results to one merged report and verdict. Fail closed: a missing job
counts as an error, and the merged result is the worst of the targets' results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from ..report.history import Comparison, State
from ..report.merged import MergedReport, Section, merged_counts
from ..report.merged_history import MergedState
from ..report.render import Report
from ..report.results_model import ResultsFile
from ..verdict import Result

# Results that do not fail the step (success or neutral).
NOT_FAILING = frozenset({Result.PASSED, Result.SKIPPED, Result.TRIGGERED, Result.UPLOADED})
# Worst first: the merged result is the first one any target has.
RESULT_ORDER = (
    Result.ERROR,
    Result.CANCELLED,
    Result.TIMED_OUT,
    Result.FAILED,
    Result.NO_FLOWS,
    Result.TRIGGERED,
    Result.UPLOADED,
    Result.PASSED,
    Result.SKIPPED,
)


# How the merge reads one file's report: (source, file, the target's previous record) -> report.
ReportOf = Callable[[str, ResultsFile, State | None], Report]


def sections_of(
    files: list[tuple[str, ResultsFile]],
    expected: list[str],
    previous: MergedState | None,
    *,
    report_of: ReportOf,
) -> tuple[list[Section], list[str]]:
    """A section per file and a missing section for each expected target without a file: those
    that did not pass first, otherwise in the order of expected-targets, then by name. Also returns
    the names nobody expected."""
    sections: dict[str, Section] = {}
    for source, results in files:
        target = results.target
        before = previous.for_target(target.name) if previous is not None else None
        sections[target.name] = Section(
            name=target.name,
            report=report_of(source, results, before),
            platform=target.platform,
            app=target.app,
            environment=target.environment,
            browser=target.browser,
            build=target.build,
            job=results.job.name,
            attempt=results.job.run_attempt,
            source=source,
        )
    count = int(expected[0]) if len(expected) == 1 and expected[0].isdigit() else None
    names = [] if count is not None else expected
    ordered = [sections.pop(name) if name in sections else Section(name=name, report=None) for name in names]
    unexpected = sorted(sections) if names else []
    ordered += [sections[name] for name in sorted(sections)]
    if count is not None:
        ordered += [Section(name=f"target {i + 1} of {count}", report=None) for i in range(len(ordered), count)]
    # Like run groups in a single report: the targets that need a look come first, worst first
    # (a missing target before a failing one).
    ordered.sort(key=lambda section: RESULT_ORDER.index(section.result))
    return ordered, unexpected


def merged_report(
    sections: list[Section], previous: MergedState | None, *, check_name: str, commit: str | None
) -> MergedReport:
    result = min((s.result for s in sections), key=RESULT_ORDER.index, default=Result.ERROR)
    counts = merged_counts(sections)
    missing = sum(s.report is None for s in sections)
    passed = sum(s.result is Result.PASSED for s in sections)
    flows = counts.title() if counts.total else "no flows"
    if passed == len(sections):
        headline = f"All {len(sections)} targets passed: {flows}"
    elif result in NOT_FAILING:
        # Nothing failed, but not everything was tested: say so rather than "0 of 2 passed".
        headline = f"No target failed ({_by_result(sections)}): {flows}"
    else:
        headline = f"{passed} of {len(sections)} targets passed: {flows}"
    if missing:
        headline += f"; {missing} sent no results"
    report = MergedReport(result=result, headline=headline, check_name=check_name, counts=counts, commit=commit)
    report.sections = sections
    report.comparison = _overall_comparison(sections, previous)
    report.state = _next_state(sections, previous, commit)
    return report


def _by_result(sections: list[Section]) -> str:
    found = Counter(s.result.value.replace("_", " ") for s in sections)
    return ", ".join(f"{n} {name}" for name, n in sorted(found.items()))


def _overall_comparison(sections: list[Section], previous: MergedState | None) -> Comparison | None:
    compared = [(s.name, s.report.comparison) for s in sections if s.report and s.report.comparison]
    if previous is None or not compared:
        return None
    return Comparison(
        previous.commit,
        frozenset(f"{name}\x1f{key}" for name, c in compared for key in c.new_failures),
        frozenset(f"{name}\x1f{key}" for name, c in compared for key in c.still_failing),
        [(name, run) for name, c in compared for _, run in c.fixed],
    )


def _next_state(sections: list[Section], previous: MergedState | None, commit: str | None) -> MergedState:
    """Failing runs per target; a target that sent nothing keeps what was recorded for it."""
    failing: dict[str, frozenset[str]] = {}
    for section in sections:
        status = section.report.status if section.report is not None else None
        if status is not None:
            failing[section.name] = State.of(status, commit).failing
        elif previous is not None and section.name in previous.failing:
            failing[section.name] = previous.failing[section.name]
    return MergedState(commit, failing)
