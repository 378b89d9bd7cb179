"""One job's run as every stage sees it: the inputs, the event, the log, the GitHub publisher and
the redactor (created here, where the run is set up), and what the upload stage found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .autosana.client import AutosanaClient
from .cancellation import Cancellation
from .deadline import Deadline, Watchdog
from .github.base_history import BaseReader
from .github.context import EventContext
from .github.progress import Progress
from .github.publisher import GitHubPublisher
from .redaction import Redactor, protect_secrets
from .report.render import Report
from .settings import Settings
from .upload.facts import BuildOutcome
from .upload.locate import LocatedBuild
from .verdict import Result
from .workflow import Workflow


@dataclass
class Job:
    env: Mapping[str, str]
    settings: Settings
    context: EventContext
    wf: Workflow
    cancellation: Cancellation
    variables: Mapping[str, str]
    redactor: Redactor
    publisher: GitHubPublisher
    deadline: Deadline
    build: LocatedBuild | None = None
    built: BuildOutcome | None = None
    notes: list[str] = field(default_factory=list)  # said in every report from here on
    watchdog: Watchdog | None = None  # the entrypoint's: told the exit status once it is known
    base: BaseReader | None = None  # the base branch's recent results, read while polling
    progress: Progress | None = None  # the running state on GitHub while polling

    @classmethod
    def set_up(
        cls,
        env: Mapping[str, str],
        *,
        settings: Settings,
        context: EventContext,
        wf: Workflow,
        cancellation: Cancellation,
        build: LocatedBuild | None,
        deadline: Deadline,
        watchdog: Watchdog | None = None,
    ) -> Job:
        variables = (
            {**context.pr_variables(), **settings.variables} if settings.pr_variables else dict(settings.variables)
        )
        redactor = protect_secrets(wf, settings, variables)
        publisher = GitHubPublisher(settings, context, wf)
        job = cls(
            env, settings, context, wf, cancellation, variables, redactor, publisher, deadline, build, watchdog=watchdog
        )
        job.base = BaseReader(publisher, settings.base_history)
        job.progress = Progress(publisher, comment=settings.progress_comment)
        return job

    def client(self) -> AutosanaClient:
        """A client whose every request ends by the step's deadline."""
        settings = self.settings
        return AutosanaClient(
            settings.api_url, settings.api_key.get_secret_value(), redactor=self.redactor, deadline=self.deadline
        )

    @property
    def out_of_time(self) -> bool:
        return self.deadline.expired

    @property
    def workspace(self) -> Path:
        return Path(self.env.get("GITHUB_WORKSPACE") or ".")

    def report(self, result: Result, headline: str) -> Report:
        """A report of this job so far: the app, the build and the commit, and the notes."""
        settings, built = self.settings, self.built
        report = Report(
            result=result,
            headline=headline,
            check_name=settings.check_name,
            app=describe_target(settings),
            build=built.app_build_id if built and built.app_build_id else _str(settings.app_build_id),
            build_file=built.description if built else (self.build.shown if self.build else None),
            commit=self.context.head_sha,
            branch=self.context.branch,
            workflow_run_url=self.context.workflow_run_url,
            artifact_links=settings.shows_artifact_links(self.context.private_repo),
        )
        report.notes.extend(self.notes)
        return report


def describe_target(settings: Settings) -> str:
    if settings.bundle_id:
        return f"{settings.bundle_id} ({settings.platform})"
    return f"web app {settings.app_id}"


def _str(value: object) -> str | None:
    return str(value) if value else None
