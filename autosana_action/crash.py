"""The last line of defence after the trigger: an unexpected error still completes the check run
as a failure and leaves outputs and a job summary that say what ran and where to look."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Mapping

from .github.publisher import GitHubPublisher
from .outcome import outcome_for
from .report.render import Report, render_job_summary
from .verdict import Result
from .workflow import Workflow


def report_crash(
    wf: Workflow,
    publisher: GitHubPublisher,
    report: Report,
    exc: Exception,
    *,
    outputs: Callable[[], Mapping[str, str]],
    summary: bool,
) -> int:
    """Each step is tried on its own: whatever broke the run may break one of them too. The
    traceback and the note pass the redactor like everything else we write."""
    _attempt(
        "print the traceback", lambda: sys.stderr.write(wf.redactor.text("".join(traceback.format_exception(exc))))
    )
    report.result = Result.ERROR
    report.headline = "The action stopped on an unexpected error"
    report.notes.append(
        f"{type(exc).__name__}: {str(exc)[:300]}. The flows may still be running on Autosana; "
        "please report this error with the step log."
    )
    wf.error(f"{report.check_name}: {report.headline} ({type(exc).__name__}: {str(exc)[:300]})")
    if not _attempt("write the step outputs", lambda: wf.set_outputs(outputs())):
        _attempt("write the result output", lambda: wf.set_outputs({"result": Result.ERROR.value}))
    if summary:
        _attempt("write the job summary", lambda: wf.write_summary(render_job_summary(report)))
    _attempt("complete the check run", lambda: publisher.finish_check(report))
    return outcome_for(Result.ERROR, fail_on_results=True).exit_code


def _attempt(what: str, step: Callable[[], object]) -> bool:
    try:
        step()
    except Exception as exc:  # keep going: the check run matters most
        print(f"Could not {what}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    return True
