"""The full results as JSON for later steps (the ``results-json`` output names the file), and for
a merge job that gathers the files of several matrix jobs into one report (see results_model.py,
which reads it back)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..redaction import Redactor
from ..settings import Settings
from .history import State
from .render import Report

RESULTS_FILE = "autosana-results.json"
# Raise when a reader of an older version would misread the file; adding fields does not need it.
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class TargetFacts:
    """What a matrix job ran against; ``name`` labels its section in a merged report."""

    name: str
    platform: str | None = None
    app: str | None = None
    environment: str | None = None
    browser: str | None = None
    build: str | None = None


@dataclass(frozen=True)
class JobFacts:
    """Which GitHub job wrote the file, and for which commit."""

    name: str | None = None
    head_sha: str | None = None
    run_id: str | None = None
    run_attempt: str | None = None
    workflow_run_url: str | None = None
    # Whether the job posted on its own too; a merge job warns when it would share the comment.
    comment_mode: str | None = None
    check_run: bool | None = None


def describe_job(
    settings: Settings, env: Mapping[str, str], head_sha: str | None, workflow_run_url: str | None
) -> tuple[TargetFacts, JobFacts]:
    platform = settings.platform if settings.bundle_id else "web"
    app = settings.bundle_id or settings.app_id
    browser = settings.web_browser if settings.is_web else None
    default_name = " ".join(part for part in (platform, app, browser) if part)
    target = TargetFacts(
        name=settings.target_name or default_name,
        platform=platform,
        app=app,
        environment=urlsplit(settings.api_url).netloc.rpartition("@")[2] or None,
        browser=browser,
        build=str(settings.app_build_id) if settings.app_build_id else None,
    )
    job = JobFacts(
        name=env.get("GITHUB_JOB") or None,
        head_sha=head_sha,
        run_id=env.get("GITHUB_RUN_ID") or None,
        run_attempt=env.get("GITHUB_RUN_ATTEMPT") or None,
        workflow_run_url=workflow_run_url,
        comment_mode=settings.comment_mode,
        check_run=settings.check_run,
    )
    return target, job


def results_document(report: Report, target: TargetFacts | None = None, job: JobFacts | None = None) -> dict[str, Any]:
    status = report.status
    counts = report.counts
    return {
        "schema_version": SCHEMA_VERSION,
        "result": report.result.value,
        "headline": report.headline,
        "check_name": report.check_name,
        "target": asdict(target) if target else None,
        "job": asdict(job) if job else None,
        "batch_id": report.batch_id,
        "batch_url": report.batch_url,
        "build": report.build,
        "build_file": report.build_file,
        "commit": report.commit,
        "branch": report.branch,
        "app": report.app,
        "workflow_run_url": report.workflow_run_url,
        "is_complete": status.is_complete if status else None,
        "counts": dict(counts.by_status) if counts else {},
        "problems": report.problems,
        "notes": report.notes,
        "comparison": None
        if report.comparison is None
        else {
            "since": report.comparison.since,
            "new_failures": len(report.comparison.new_failures),
            "still_failing": len(report.comparison.still_failing),
            "fixed": [{"group": g, "flow": r} for g, r in report.comparison.fixed],
        },
        # The failing runs as the sticky comment records them, so a merge can tell new from old.
        "state": None if status is None else sorted(State.of(status, report.commit).failing),
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


def write_results(
    report: Report,
    path: Path,
    target: TargetFacts | None = None,
    job: JobFacts | None = None,
    *,
    redactor: Redactor,
) -> None:
    """Every string of the document is redacted, whichever field it came from."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = redactor.deep(results_document(redactor.deep(report), target, job))
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")


def write_fork_skip(path: Path, target_name: str | None, head_sha: str | None) -> None:
    """What a job that skipped a fork's pull request (on-fork: skip) leaves for the merge job:
    the merge then reports the fork skipped instead of a missing target. It carries no runs, so
    it cannot make anything green but a merge in which every job skipped."""
    document = {
        "schema_version": SCHEMA_VERSION,
        "result": "skipped_fork",
        "headline": "Skipped: pull request from a fork",
        "target": {"name": target_name or "skipped fork"},
        "job": {"head_sha": head_sha},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1), encoding="utf-8")
