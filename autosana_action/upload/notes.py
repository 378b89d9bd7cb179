"""What Autosana said about the upload, for the log and every report from here on: its warnings
(start-upload's and confirm-upload's) and the automations the upload started. An upload also
makes the build the app's active build for the whole workspace, which the log says."""

from __future__ import annotations

from ..autosana.upload_models import BuildRegistered, StartUploadResponse
from ..workflow import Workflow

ACTIVE_BUILD = (
    "This upload makes the build the app's active build for the whole workspace: runs anywhere in the "
    "workspace that do not pin a build (app_build_id) now use it."
)


def upload_notes(started: StartUploadResponse, confirmed: BuildRegistered, wf: Workflow) -> tuple[str, ...]:
    """The report's notes; the warnings themselves were logged as they came."""
    notes = [f"⚠️ Autosana: {warning}" for warning in (*started.warnings, *confirmed.warnings)]
    count = confirmed.automations
    if count:
        plural = "s" if count != 1 else ""
        started_line = f"The upload also started {count} automation{plural} (the app's CI/CD automations on Autosana)."
        wf.info(started_line)
        notes.append(started_line)
    wf.info(ACTIVE_BUILD)
    return tuple(notes)
