"""JUnit XML for any reporter or test-analytics tool: a testsuite per run group, a testcase per
run, failure, error and skipped elements with the summary and the step it stopped at."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from ..autosana.models import ERROR, FAILED, FINAL_STATUSES, PASSED, PENDING_STATUSES, SKIPPED, Run, RunDetail
from ..redaction import Redactor
from ..verdict import Result
from .render import Report

NOT_FINISHED = "not finished"

# XML 1.0 cannot carry most control characters, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _describe_failure(run: Run, detail: RunDetail | None, artifact_links: bool) -> str:
    lines = [_clean(run.summary) or f"The run ended {run.status}."]
    step = detail.failing_action() if detail else None
    if step is not None:
        lines.append(f"Stopped at step {step.position}: {step.type} {_clean(step.description)}".rstrip())
        if step.screenshot_url and artifact_links:
            lines.append(f"Screenshot: {step.screenshot_url}")
    if detail is not None:
        lines += [f"Issue ({i.severity} {i.type}): {_clean(i.title)}" for i in detail.issues]
    if run.url:
        lines.append(f"Run: {run.url}")
    return "\n".join(lines)


def junit_xml(report: Report) -> bytes:
    status = report.status
    root = ET.Element("testsuites", name=report.check_name)
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
    for group in status.run_groups if status else []:
        suite = ET.SubElement(root, "testsuite", name=_clean(group.name) or "Run group")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
        if group.url:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="url", value=group.url)
        for run in group.runs:
            detail = report.details.get(run.id)
            seconds = (detail.duration_seconds if detail else None) or 0.0
            case = ET.SubElement(
                suite, "testcase", name=_clean(run.name) or run.id, classname=_clean(group.name), time=f"{seconds:.3f}"
            )
            props = ET.SubElement(case, "properties")
            ET.SubElement(props, "property", name="run_id", value=run.id)
            if run.url:
                ET.SubElement(props, "property", name="url", value=run.url)
            counts["tests"] += 1
            counts["time"] += seconds
            message = _clean(run.summary)[:500]
            if run.status == SKIPPED:
                ET.SubElement(case, "skipped", message=message)
                counts["skipped"] += 1
            elif _unfinished(run, report):
                # Still running when we stopped waiting: no verdict yet, and no error either.
                ET.SubElement(case, "skipped", message=f"{NOT_FINISHED} ({_clean(run.status)})")
                counts["skipped"] += 1
            elif run.status == FAILED:
                ET.SubElement(case, "failure", message=message, type=FAILED).text = _describe_failure(
                    run, detail, report.artifact_links
                )
                counts["failures"] += 1
            elif run.status != PASSED:
                # errored, terminated and unknown statuses: the test did not get to a verdict
                kind = run.status if run.status else ERROR
                ET.SubElement(case, "error", message=message, type=_clean(kind)).text = _describe_failure(
                    run, detail, report.artifact_links
                )
                counts["errors"] += 1
            if run.summary:
                ET.SubElement(case, "system-out").text = _clean(run.summary)
        for key, value in counts.items():
            suite.set(key, f"{value:.3f}" if key == "time" else str(value))
            totals[key] += value
    for key, value in totals.items():
        root.set(key, f"{value:.3f}" if key == "time" else str(int(value)))
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _unfinished(run: Run, report: Report) -> bool:
    if run.status in FINAL_STATUSES:
        return False
    return run.status in PENDING_STATUSES or report.result in (Result.TIMED_OUT, Result.CANCELLED)


def write_junit(report: Report, path: Path, *, redactor: Redactor) -> None:
    """Redacted twice: the report before it is escaped and cut, the XML as written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    xml = junit_xml(redactor.deep(report))
    path.write_bytes(redactor.text(xml.decode("utf-8")).encode("utf-8") if redactor else xml)
