"""Mobile and extension builds: start-upload -> PUT to storage -> confirm-upload.

Faults: a resumable upload goes on from the server's offset (transfer.py); a single PUT's 5xx
or dropped connection is retried with a fresh stream from disk; a 403 (the pre-signed URL
expired or was refused) gets one new start-upload; 429/5xx on start-upload are retried by the
client. confirm-upload is never sent twice."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from ..autosana.client import CONFIRM_READ_TIMEOUT, AutosanaClient
from ..autosana.upload_models import StartUploadResponse
from ..cancellation import Cancellation, Cancelled
from ..deadline import StepTimedOut, run_within
from ..settings import Settings
from ..trigger.inputs import platform_family as family
from ..workflow import Workflow, plain
from .bundle import zip_app
from .facts import BuildOutcome, GitFacts, human_size
from .locate import LocatedBuild
from .notes import upload_notes
from .resumable import DEFAULT_RESUMABLE, ResumableTuning
from .storage import STALL_SECONDS, StorageError, TransientStorageError, UrlRefused, where
from .transfer import send_build

PUT_ATTEMPTS = 4
# Anything but an iOS .ipa is stored as is; 120 s is generous for that.
CONFIRM_TIMEOUT = 120.0


@dataclass(frozen=True)
class UploadTuning:
    """Knobs the tests turn down; the defaults are what a real run uses."""

    stall_seconds: float = STALL_SECONDS
    backoff: float = 2.0
    progress_interval: float = 5.0
    resumable: ResumableTuning = DEFAULT_RESUMABLE


DEFAULT_TUNING = UploadTuning()


class UploadFailed(Exception):
    """The build could not be uploaded; the message says what happened and what to do."""


def variables_text(variables: Mapping[str, str]) -> str:
    """Build variables as the official action sends them to the build endpoints."""
    return ",".join(f"{key}={value}" for key, value in variables.items())


def upload_build(
    client: AutosanaClient,
    settings: Settings,
    build: LocatedBuild,
    *,
    git: GitFacts,
    variables: Mapping[str, str],
    wf: Workflow,
    cancellation: Cancellation,
    tuning: UploadTuning = DEFAULT_TUNING,
) -> BuildOutcome:
    assert settings.bundle_id and settings.platform
    temp: Path | None = None
    try:
        if build.is_app_directory:
            wf.info(f"Zipping the simulator app {build.shown} (storage needs the length up front)")
            try:
                temp = zip_app(build.path, wf_temp_dir())
            except OSError as exc:
                raise UploadFailed(f"could not zip {build.shown}: {exc}") from None
            path, filename = temp, temp.name
        else:
            path, filename = build.path, build.path.name
        size = path.stat().st_size
        description = f"{filename} · {human_size(size)}"
        _explain_kind(build, settings.platform, wf)
        start_body = _start_body(settings, filename)
        runs_on = f", a build for {build.runs_on}" if build.runs_on else ""
        wf.info(f"Uploading {build.shown} ({human_size(size)}{runs_on}) for {settings.bundle_id} ({settings.platform})")
        started = _start(client, start_body, wf)
        started = _put(client, start_body, started, path, size, wf=wf, cancellation=cancellation, tuning=tuning)
        confirm_body: dict[str, Any] = {
            "bundle_id": settings.bundle_id,
            "platform": settings.platform,
            "uploaded_file_path": started.file_path,
            "commit_sha": git.commit_sha,
            "branch_name": git.branch_name,
            "repo_full_name": git.repo_full_name,
        }
        for key in ("name", "environment"):
            if key in start_body:
                confirm_body[key] = start_body[key]
        if variables:
            confirm_body["variables"] = variables_text(variables)
        ipa = family(settings.platform) == "ios" and build.is_ipa
        if ipa and settings.enable_ios_keychain_access_group_remapping is not None:
            confirm_body["enable_ios_keychain_access_group_remapping"] = (
                settings.enable_ios_keychain_access_group_remapping
            )
        if ipa:
            wf.info("Confirming the upload; Autosana re-signs an .ipa, which can take up to 15 minutes")
        confirmed = client.confirm_upload(confirm_body, read_timeout=CONFIRM_READ_TIMEOUT if ipa else CONFIRM_TIMEOUT)
        for warning in confirmed.warnings:
            wf.warning(plain(warning, 500), title="Autosana upload")
        outputs = {"build-file": filename, "build-size": str(size)}
        notes = upload_notes(started, confirmed, wf)
        return BuildOutcome(confirmed.new_build_id, description, outputs, notes)
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)
            temp.parent.rmdir()


def _start_body(settings: Settings, filename: str) -> dict[str, Any]:
    body: dict[str, Any] = {"bundle_id": settings.bundle_id, "platform": settings.platform, "filename": filename}
    if settings.name:  # name creates or renames the app: never sent empty
        body["name"] = settings.name
    if settings.environment and settings.platform != "chrome-extension":
        body["environment"] = settings.environment
    return body


def wf_temp_dir() -> str | None:
    """RUNNER_TEMP when it exists here: a Docker action gets the variable but not always the mount."""
    temp = os.environ.get("RUNNER_TEMP")
    return temp if temp and os.path.isdir(temp) else None


def _explain_kind(build: LocatedBuild, platform: str, wf: Workflow) -> None:
    if family(platform) == "ios" and not build.is_ipa:
        wf.info("A zipped .app runs on the iOS simulator; upload an .ipa to test on physical devices.")


def _start(client: AutosanaClient, body: dict[str, Any], wf: Workflow) -> StartUploadResponse:
    started = client.start_upload(body)
    for warning in started.warnings:
        wf.warning(plain(warning, 500), title="Autosana upload")
    return started


def _put(
    client: AutosanaClient,
    start_body: dict[str, Any],
    started: StartUploadResponse,
    path: Path,
    size: int,
    *,
    wf: Workflow,
    cancellation: Cancellation,
    tuning: UploadTuning,
) -> StartUploadResponse:
    renewed = False
    attempt = 1
    while True:
        try:
            # Bounded by the step's deadline too: bytes that keep dripping never trip the stall limit.
            put = partial(
                send_build,
                started.upload_url,
                path,
                size,
                wf=wf,
                cancellation=cancellation,
                stall_seconds=tuning.stall_seconds,
                progress_interval=tuning.progress_interval,
                resumable_tuning=tuning.resumable,
            )
            result = run_within(client.deadline, "the upload", put)
        except UrlRefused as exc:
            if renewed:
                raise UploadFailed(f"{exc}, again with a fresh upload URL; the build was not uploaded") from None
            renewed = True
            wf.warning(f"{plain(str(exc), 300)}; asking Autosana for a new upload URL")
            started = _start(client, start_body, wf)
            continue
        except TransientStorageError as exc:
            if attempt >= PUT_ATTEMPTS:
                raise UploadFailed(f"{exc}; gave up after {attempt} attempts") from None
            pause = tuning.backoff * 2 ** (attempt - 1)
            wf.warning(f"{plain(str(exc), 300)}; retrying from the start in {pause:g} s (attempt {attempt + 1})")
            attempt += 1
            if client.deadline is not None and client.deadline.left() <= pause:
                raise StepTimedOut(f"{exc}; no time was left before timeout-minutes to try again") from None
            if cancellation.wait(pause):
                raise Cancelled from None
            continue
        except StorageError as exc:
            raise UploadFailed(str(exc)) from None
        wf.info(f"Uploaded {human_size(size)} to {where(started.upload_url)} in {result.seconds:.1f} s ({result.rate})")
        return started
