"""The full results as JSON for later steps (the ``results-json`` output names the file)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .render import Report

RESULTS_FILE = "autosana-results.json"


def results_document(report: Report) -> dict[str, Any]:
    status = report.status
    counts = report.counts
    return {
        "result": report.result.value,
        "headline": report.headline,
        "batch_id": report.batch_id,
        "build": report.build,
        "build_file": report.build_file,
        "commit": report.commit,
        "branch": report.branch,
        "counts": dict(counts.by_status) if counts else {},
        "problems": report.problems,
        "comparison": None
        if report.comparison is None
        else {
            "since": report.comparison.since,
            "new_failures": len(report.comparison.new_failures),
            "still_failing": len(report.comparison.still_failing),
            "fixed": [{"group": g, "flow": r} for g, r in report.comparison.fixed],
        },
        "run_groups": [
            {
                **group.model_dump(mode="json", exclude={"runs"}),
                "runs": [
                    {
                        **run.model_dump(mode="json"),
                        "detail": report.details[run.id].model_dump(mode="json") if run.id in report.details else None,
                    }
                    for run in group.runs
                ],
            }
            for group in (status.run_groups if status else [])
        ],
    }


def write_results(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results_document(report), indent=1), encoding="utf-8")
