"""One run of the action, as the list of its stages: inputs → upload → trigger → poll → explain
→ verdict → report and publish. Each stage lives in its own room; this only says the order and
what ends the run early."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .autosana.client import AutosanaClient
from .autosana.models import TriggerResponse
from .cancellation import Cancellation
from .deadline import Deadline, Watchdog
from .explain.details import DetailFetcher
from .explain.stage import detail_reader, explain_stage
from .finish import crashed, finish
from .github.commit import resolve_git_target
from .github.context import EventContext, load_event, with_overrides
from .github.forks import ForkOutcome, handle_fork_without_key
from .github.publisher import GitHubPublisher
from .inputs import InvalidInputs
from .job import Job, describe_target
from .merge.flow import run_merge
from .outcome import EXIT_OK, EXIT_USAGE
from .poll.poller import Outcome
from .poll.stage import poll_stage
from .redaction import protect_secrets
from .report.conclusion import conclude
from .report.render import Report
from .report.results_file import RESULTS_FILE, write_fork_skip
from .settings import input_warnings, inputs_from_env, parse_settings
from .trigger.body import GitTarget
from .trigger.stage import announce_batch, trigger_stage
from .upload.identify import prepare_build
from .upload.stage import upload_stage
from .urls import shown_url
from .verdict import Result
from .workflow import Workflow


class ActionRun:
    def __init__(
        self,
        env: Mapping[str, str],
        *,
        stdout: TextIO | None = None,
        cancellation: Cancellation | None = None,
        watchdog: bool = False,
    ) -> None:
        self.env = env
        self.wf = Workflow(env, stdout)
        self.cancellation = cancellation or Cancellation()
        self.job: Job | None = None
        self._arm_watchdog = watchdog  # the entrypoint's process only: it may end the process

    @property
    def publisher(self) -> GitHubPublisher | None:
        return self.job.publisher if self.job else None

    def main(self, overrides: Mapping[str, str] | None = None) -> int:
        try:
            return self._main(overrides)
        finally:
            if self.publisher is not None:
                self.publisher.ensure_completed()

    def _main(self, overrides: Mapping[str, str] | None) -> int:
        raw = {**inputs_from_env(self.env), **(overrides or {})}
        for name in ("api-key", "github-token", "redact"):
            if raw.get(name):
                self.wf.mask(raw[name])
        if not raw.get("results", "").strip():
            self._forget_old_results()
        event = load_event(self.env)
        try:
            settings = parse_settings(raw)
            settings, build = prepare_build(settings, self._workspace)
        except InvalidInputs as exc:
            return self._invalid(exc, raw, event)
        deadline = Deadline(settings.timeout_minutes * 60)  # timeout-minutes runs from here, for every stage
        watchdog = Watchdog(deadline) if self._arm_watchdog else None
        if watchdog is not None:
            watchdog.arm()
        context = with_overrides(event, settings.pr_number, settings.commit_sha)
        if settings.branch_name:
            context = replace(context, branch=settings.branch_name)
        if settings.is_merge:
            protect_secrets(self.wf, settings, {})
            return run_merge(settings, context, self.wf, self.env)
        self.job = Job.set_up(
            self.env,
            settings=settings,
            context=context,
            wf=self.wf,
            cancellation=self.cancellation,
            build=build,
            deadline=deadline,
            watchdog=watchdog,
        )
        return self._run(self.job)

    def _run(self, job: Job) -> int:
        settings = job.settings
        for warning in input_warnings(settings, job.build):
            self.wf.warning(warning)
        self.wf.info(f"Starting Autosana flows for {describe_target(settings)} on {shown_url(settings.api_url)}")
        if job.variables:
            self.wf.info(f"Variables: {', '.join(sorted(job.variables))}")
        target = resolve_git_target(
            self.env,
            commit_sha=settings.commit_sha,
            repo_full_name=settings.repo_full_name,
            pr_number=settings.pr_number,
        )
        self._say_commit(target)
        with job.client() as client:
            if settings.uploads:
                try:
                    stopped = upload_stage(job, client, target)
                except Exception as exc:  # the check run is already in progress: it must be completed
                    return crashed(job, job.report(Result.ERROR, "The build was not uploaded"), exc)
                if stopped is not None:
                    return stopped
            started = trigger_stage(job, client, target)
            if isinstance(started, int):
                return started
            report, trigger = started
            try:
                return self._wait_and_report(job, client, report, trigger)
            except Exception as exc:  # the check run must not stay in progress, whatever broke
                return crashed(job, report, exc)

    def _wait_and_report(self, job: Job, client: AutosanaClient, report: Report, trigger: TriggerResponse) -> int:
        assert report.batch_id is not None
        stopped = announce_batch(job, report, trigger)
        if stopped is not None:
            return stopped
        with detail_reader(job) as fetcher:
            polled = poll_stage(job, client, report.batch_id, on_finished=fetcher.submit_finished)
            for warning in conclude(report, polled, job.settings, trigger):
                self.wf.warning(warning, title="Teardown failed")
            if polled.outcome is not Outcome.CANCELLED and report.status is not None:
                self._explain(job, fetcher, report)
        return finish(job, report, publish=True)

    def _explain(self, job: Job, fetcher: DetailFetcher, report: Report) -> None:
        explain_stage(job, fetcher, report)

    def _invalid(self, exc: InvalidInputs, raw: Mapping[str, str], event: EventContext) -> int:
        fork = handle_fork_without_key(exc.problems, raw, event, self.wf)
        if fork is ForkOutcome.SKIPPED and not raw.get("results", "").strip():
            self._leave_fork_skip(raw, event)
        if fork is not None:
            return EXIT_OK if fork is ForkOutcome.SKIPPED else EXIT_USAGE
        for problem in exc.problems:
            self.wf.error(problem.message(), title=f"Invalid input: {problem.input}")
        return EXIT_USAGE

    @property
    def _workspace(self) -> Path:
        return Path(self.env.get("GITHUB_WORKSPACE") or ".")

    def _leave_fork_skip(self, raw: Mapping[str, str], event: EventContext) -> None:
        """A merge job must see that this target stepped aside, not that its file is missing."""
        try:
            write_fork_skip(self._workspace / RESULTS_FILE, raw.get("target-name", "").strip() or None, event.head_sha)
        except OSError as exc:
            self.wf.warning(f"Could not write {RESULTS_FILE}: {exc}")

    def _forget_old_results(self) -> None:
        """A file left by an earlier run (self-hosted runners keep the workspace) must not stand in
        for this one when this one stops before writing its own: a merge job then sees it missing."""
        try:
            (self._workspace / RESULTS_FILE).unlink(missing_ok=True)
        except OSError as exc:
            self.wf.warning(f"Could not remove the old {RESULTS_FILE}: {exc}")

    def _say_commit(self, git: GitTarget) -> None:
        if git.ref:
            self.wf.info(f"Flows resolve from commit {git.ref} ({git.source})")
        else:
            self.wf.warning(
                "No commit is known here (no pull request, deployment, checkout or GITHUB_SHA), so `ref` is left out "
                "of the request and Autosana picks the flows without it; set commit-sha to pin one."
            )


def run(env: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> int:
    """The entrypoint's run: its process ends at timeout-minutes plus the reporting allowance."""
    return ActionRun(env, watchdog=True).main(overrides)
