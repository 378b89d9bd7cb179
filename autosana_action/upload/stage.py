"""The upload stage as the action runs it: upload the file or register the URL, interruptible by
a cancelled workflow, with the commit the build belongs to; the check run is in progress from
its start."""

from __future__ import annotations

from collections.abc import Mapping

from ..autosana.client import AutosanaClient
from ..autosana.errors import ApiError
from ..cancellation import Cancellation, Cancelled
from ..deadline import StepTimedOut
from ..finish import finish
from ..job import Job
from ..settings import Settings
from ..trigger.body import GitTarget
from ..verdict import Result
from ..workflow import Workflow, plain
from .facts import BuildOutcome, GitFacts
from .locate import LocatedBuild
from .mobile import DEFAULT_TUNING, UploadFailed, UploadTuning, upload_build
from .web import register_web_build


def upload_stage(job: Job, client: AutosanaClient, target: GitTarget) -> int | None:
    """Upload or register the PR's build; an exit status when the action ends here."""
    settings = job.settings
    publish = not settings.upload_only
    if publish:
        job.publisher.start_check(None, None)
    job.cancellation.install()
    git = GitFacts(target.ref or "", job.context.branch or "", target.repo_full_name or "")
    try:
        job.built = run_build_stage(
            client, settings, job.build, git=git, variables=job.variables, wf=job.wf, cancellation=job.cancellation
        )
    except Cancelled:
        report = job.report(Result.CANCELLED, "Cancelled while uploading the build")
        report.notes.append("The workflow was cancelled before any flow started.")
        return finish(job, report, publish=publish)
    except (ApiError, UploadFailed, StepTimedOut) as exc:
        job.wf.error(str(exc), title="The build was not uploaded")
        if isinstance(exc, StepTimedOut) or job.out_of_time:
            minutes = f"{settings.timeout_minutes:g} min"
            report = job.report(Result.TIMED_OUT, f"Timed out after {minutes} while uploading the build")
        else:
            report = job.report(Result.ERROR, "The build was not uploaded")
        report.notes.append(str(exc))
        return finish(job, report, publish=publish, refused_status=getattr(exc, "status", None))
    job.notes.extend(job.built.notes)
    outputs = dict(job.built.outputs)
    if job.built.app_build_id:
        outputs["app-build-id"] = job.built.app_build_id
        job.wf.info(f"Autosana registered build {plain(job.built.app_build_id, 80)}")
    job.wf.set_outputs(outputs)
    if settings.upload_only:
        return finish(job, job.report(Result.UPLOADED, "Build uploaded; no flows were requested"), publish=False)
    if not job.built.app_build_id:
        unpinned = "Autosana did not name the new build, so the flows run on the app's active build"
        job.wf.warning(unpinned)
        job.notes.append(unpinned + ".")
    return None


def run_build_stage(
    client: AutosanaClient,
    settings: Settings,
    build: LocatedBuild | None,
    *,
    git: GitFacts,
    variables: Mapping[str, str],
    wf: Workflow,
    cancellation: Cancellation,
    tuning: UploadTuning = DEFAULT_TUNING,
) -> BuildOutcome:
    """Raises ApiError (Autosana refused), UploadFailed (storage refused) or Cancelled."""
    with cancellation.interruptible():
        if build is not None:
            return upload_build(
                client, settings, build, git=git, variables=variables, wf=wf, cancellation=cancellation, tuning=tuning
            )
        return register_web_build(client, settings, git, variables, wf)
