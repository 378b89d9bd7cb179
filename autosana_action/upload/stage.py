"""The build stage as the action runs it: upload the file or register the URL, interruptible by
a cancelled workflow, with the commit the build belongs to."""

from __future__ import annotations

from collections.abc import Mapping

from ..autosana.client import AutosanaClient
from ..cancellation import Cancellation
from ..settings import Settings
from ..workflow import Workflow
from .facts import BuildOutcome, GitFacts
from .locate import LocatedBuild
from .mobile import DEFAULT_TUNING, UploadTuning, upload_build
from .web import register_web_build


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
