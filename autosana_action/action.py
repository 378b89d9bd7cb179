"""One run of the action: inputs, trigger, poll, verdict, report, exit status."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .autosana.client import ApiError, AutosanaClient
from .autosana.details import DetailFetcher
from .autosana.models import BatchStatus, TriggerResponse, is_problem
from .autosana.poller import Outcome, poll
from .autosana.trigger import CiRun, GitTarget, trigger_body
from .build.facts import BuildOutcome, GitFacts
from .build.locate import LocatedBuild, locate
from .build.stage import run_build_stage
from .build.upload import UploadFailed
from .cancellation import Cancellation, Cancelled
from .crash import report_crash
from .deadline import Deadline, StepTimedOut, Watchdog
from .github.commit import resolve_git_target
from .github.context import EventContext, load_event, with_overrides
from .github.forks import ForkOutcome, handle_fork_without_key
from .github.publisher import GitHubPublisher
from .merge.flow import run_merge
from .outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE, outcome_for
from .redaction import protect_secrets
from .report.conclusion import conclude
from .report.console import RunLog, log_verdict
from .report.history import Comparison
from .report.junit import write_junit
from .report.render import Report, render_job_summary
from .report.results_file import RESULTS_FILE, describe_job, write_fork_skip, write_results
from .settings import (
    DEFAULT_API_URL,
    InvalidInputs,
    Settings,
    inputs_from_env,
    parse_settings,
    platform_family,
)
from .urls import shown_url
from .verdict import Counts, Result
from .workflow import Workflow, plain

COUNT_OUTPUTS = ("passed", "failed", "error", "terminated", "skipped")


MAX_LISTED_ERRORS = 20


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
        self.workspace = Path(env.get("GITHUB_WORKSPACE") or ".")
        self.build: LocatedBuild | None = None
        self.built: BuildOutcome | None = None
        self.unpinned_note: str | None = None
        self.deadline: Deadline | None = None
        self._arm_watchdog = watchdog  # the entrypoint's process only: it may end the process
        self.watchdog: Watchdog | None = None

    def main(self, overrides: Mapping[str, str] | None = None) -> int:
        try:
            return self._main(overrides)
        finally:
            publisher: GitHubPublisher | None = getattr(self, "publisher", None)
            if publisher is not None:
                publisher.ensure_completed()

    def _main(self, overrides: Mapping[str, str] | None) -> int:
        raw = {**inputs_from_env(self.env), **(overrides or {})}
        for name in ("api-key", "github-token", "redact"):
            if raw.get(name):
                self.wf.mask(raw[name])
        if not raw.get("results", "").strip():
            self._forget_old_results()
        try:
            settings = parse_settings(raw)
            if settings.build_path:
                self.build = locate(settings.build_path, settings.platform or "", self.workspace)
        except InvalidInputs as exc:
            event = load_event(self.env)
            fork = handle_fork_without_key(exc.problems, raw, event, self.wf)
            if fork is ForkOutcome.SKIPPED and not raw.get("results", "").strip():
                self._leave_fork_skip(raw, event)
            if fork is not None:
                return EXIT_OK if fork is ForkOutcome.SKIPPED else EXIT_USAGE
            for problem in exc.problems:
                self.wf.error(problem.message(), title=f"Invalid input: {problem.input}")
            return EXIT_USAGE
        self._start_clock(settings)
        context = with_overrides(load_event(self.env), settings.pr_number, settings.commit_sha)
        if settings.branch_name:
            context = replace(context, branch=settings.branch_name)
        if settings.is_merge:
            self.redactor = protect_secrets(self.wf, settings, {})
            return run_merge(settings, context, self.wf, self.env)
        variables = (
            {**context.pr_variables(), **settings.variables} if settings.pr_variables else dict(settings.variables)
        )
        self.redactor = protect_secrets(self.wf, settings, variables)
        self._warn_about(settings)
        self.publisher = GitHubPublisher(settings, context, self.wf)
        return self._run(settings, context, variables)

    def _start_clock(self, settings: Settings) -> None:
        """timeout-minutes runs from here, for every stage."""
        self.deadline = Deadline(settings.timeout_minutes * 60)
        if self._arm_watchdog:
            self.watchdog = Watchdog(self.deadline)
            self.watchdog.arm()

    def _leave_fork_skip(self, raw: Mapping[str, str], event: EventContext) -> None:
        """A merge job must see that this target stepped aside, not that its file is missing."""
        try:
            write_fork_skip(self.workspace / RESULTS_FILE, raw.get("target-name", "").strip() or None, event.head_sha)
        except OSError as exc:
            self.wf.warning(f"Could not write {RESULTS_FILE}: {exc}")

    def _forget_old_results(self) -> None:
        """A file left by an earlier run (self-hosted runners keep the workspace) must not stand in
        for this one when this one stops before writing its own: a merge job then sees it missing."""
        try:
            (Path(self.env.get("GITHUB_WORKSPACE") or ".") / RESULTS_FILE).unlink(missing_ok=True)
        except OSError as exc:
            self.wf.warning(f"Could not remove the old {RESULTS_FILE}: {exc}")

    def _warn_about(self, settings: Settings) -> None:
        if settings.web_browser and not settings.is_web:
            self.wf.warning("web-browser is ignored for mobile runs (bundle-id is set).")
        if settings.suite_overrides and not settings.resolve_suite_context:
            self.wf.warning("suite-overrides is ignored because resolve-suite-context is false.")
        if settings.platform == "android-arm64-gplay":
            self.wf.warning("platform android-arm64-gplay is deprecated; it is passed on to Autosana as given.")
        if settings.environment and settings.platform == "chrome-extension":
            self.wf.warning("environment is ignored for chrome-extension uploads.")
        remap = settings.enable_ios_keychain_access_group_remapping
        if remap is not None and not (
            self.build and self.build.is_ipa and platform_family(settings.platform or "") == "ios"
        ):
            self.wf.warning("enable-ios-keychain-access-group-remapping only applies to an iOS .ipa; ignored.")
        if settings.is_web and settings.has_device_inputs:
            self.wf.warning("device selection inputs are mobile-only; ignoring them for platform 'web'.")
        if settings.poll_interval < 10 and settings.api_url == DEFAULT_API_URL:
            self.wf.warning(
                f"poll-interval {settings.poll_interval:g}s is below the 10-15 s the Autosana API asks for."
            )

    def _run(self, settings: Settings, context: EventContext, variables: Mapping[str, str]) -> int:
        target = describe_target(settings)
        self.wf.info(f"Starting Autosana flows for {target} on {shown_url(settings.api_url)}")
        if variables:
            self.wf.info(f"Variables: {', '.join(sorted(variables))}")
        git = resolve_git_target(
            self.env,
            commit_sha=settings.commit_sha,
            repo_full_name=settings.repo_full_name,
            pr_number=settings.pr_number,
        )
        self._say_commit(git)
        with self._client(settings) as client:
            if settings.uploads:
                try:
                    code = self._build_stage(settings, context, client, variables, git)
                except Exception as exc:  # the check run is already in progress: it must be completed
                    report = self._base_report(settings, context, Result.ERROR, "The build was not uploaded")
                    return self._crashed(settings, report, exc)
                if code is not None:
                    return code
            new_build = self.built.app_build_id if self.built else None
            body = trigger_body(settings, variables, git, CiRun.from_env(self.env), new_build)
            try:
                trigger = client.trigger(body)
            except ApiError as exc:
                self.wf.error(str(exc), title="Autosana did not start the flows")
                if self._out_of_time():
                    headline = f"Timed out after {settings.timeout_minutes:g} min while starting the flows"
                    report = self._base_report(settings, context, Result.TIMED_OUT, headline)
                    report.notes.append("The flows may have started anyway; check the Autosana dashboard.")
                    self._finish(settings, report, publish=True)
                    return outcome_for(report.result, settings.fail_on_results).exit_code
                report = self._base_report(settings, context, Result.ERROR, "The flows were not started")
                report.notes.append(str(exc))
                self._finish(settings, report, publish=True)
                return outcome_for(report.result, settings.fail_on_results, refused_status=exc.status).exit_code

            if trigger.batch_id is None:
                return self._no_batch(settings, context, trigger)
            count = f"{trigger.flow_run_count} flows" if trigger.flow_run_count is not None else "flows"
            report = self._base_report(settings, context, Result.TRIGGERED, f"Started {count}; waiting for results")
            report.batch_id = trigger.batch_id
            report.batch_url = trigger.batch_url
            try:
                return self._after_trigger(settings, report, trigger, client, count)
            except Exception as exc:  # the check run must not stay in progress, whatever broke
                return self._crashed(settings, report, exc)

    def _client(self, settings: Settings) -> AutosanaClient:
        return AutosanaClient(
            settings.api_url, settings.api_key.get_secret_value(), redactor=self.redactor, deadline=self.deadline
        )

    def _out_of_time(self) -> bool:
        return self.deadline is not None and self.deadline.expired

    def _crashed(self, settings: Settings, report: Report, exc: Exception) -> int:
        return report_crash(
            self.wf,
            self.publisher,
            report,
            exc,
            outputs=lambda: self._outputs(settings, report),
            summary=settings.job_summary,
        )

    def _after_trigger(
        self, settings: Settings, report: Report, trigger: TriggerResponse, client: AutosanaClient, count: str
    ) -> int:
        batch_id = trigger.batch_id
        assert batch_id is not None
        self.wf.set_outputs({"batch-id": batch_id, **({"batch-url": trigger.batch_url} if trigger.batch_url else {})})
        self.wf.info(f"Started {count} in batch {plain(batch_id, 80)}")
        self._list_dispatch_errors(trigger, report)
        if settings.job_summary:
            self.wf.write_summary(render_job_summary(report))
        if not settings.wait:
            report.headline = f"Started {count}; not waiting for results (wait: false)"
            if trigger.errors:
                report.result = Result.ERROR
                report.headline = f"Started {count}, but {len(trigger.errors)} requested test submission(s) failed"
            self._finish(settings, report, publish=bool(trigger.errors))
            return outcome_for(report.result, settings.fail_on_results).exit_code

        self.cancellation.install()
        self.publisher.resolve_pr()
        log = RunLog(self.wf)
        with self._client(settings) as detail_client, closing(DetailFetcher(detail_client)) as fetcher:

            def on_status(status: BatchStatus) -> None:
                log.update(status)
                fetcher.submit_finished(status)
                # Created on the first status, so its link can go to the Autosana run group; the
                # previous comment is read while the flows run, not after.
                first_group = status.run_groups[0].url if status.run_groups else None
                self.publisher.start_check(batch_id, first_group)
                self.publisher.previous_state()

            polled = poll(
                client,
                batch_id,
                interval=settings.poll_interval,
                timeout=self.deadline.left() if self.deadline else settings.timeout_minutes * 60,
                cancellation=self.cancellation,
                workflow=self.wf,
                on_status=on_status,
            )
            for warning in conclude(report, polled, settings, trigger):
                self.wf.warning(warning, title="Teardown failed")
            if polled.outcome is not Outcome.CANCELLED and report.status is not None:
                self._explain(fetcher, report)
        self._finish(settings, report, publish=True)
        return outcome_for(report.result, settings.fail_on_results).exit_code

    def _build_stage(
        self,
        settings: Settings,
        context: EventContext,
        client: AutosanaClient,
        variables: Mapping[str, str],
        target: GitTarget,
    ) -> int | None:
        """Upload or register the PR's build; an exit code when the action ends here."""
        if not settings.upload_only:
            self.publisher.start_check(None, None)
        self.cancellation.install()
        git = GitFacts(target.ref or "", context.branch or "", target.repo_full_name or "")
        publish = not settings.upload_only
        try:
            self.built = run_build_stage(
                client, settings, self.build, git=git, variables=variables, wf=self.wf, cancellation=self.cancellation
            )
        except Cancelled:
            report = self._base_report(settings, context, Result.CANCELLED, "Cancelled while uploading the build")
            report.notes.append("The workflow was cancelled before any flow started.")
            self._finish(settings, report, publish=publish)
            return outcome_for(report.result, settings.fail_on_results).exit_code
        except (ApiError, UploadFailed, StepTimedOut) as exc:
            self.wf.error(str(exc), title="The build was not uploaded")
            if isinstance(exc, StepTimedOut) or self._out_of_time():
                headline = f"Timed out after {settings.timeout_minutes:g} min while uploading the build"
                report = self._base_report(settings, context, Result.TIMED_OUT, headline)
            else:
                report = self._base_report(settings, context, Result.ERROR, "The build was not uploaded")
            report.notes.append(str(exc))
            self._finish(settings, report, publish=publish)
            refused = getattr(exc, "status", None)
            return outcome_for(report.result, settings.fail_on_results, refused_status=refused).exit_code
        outputs = dict(self.built.outputs)
        if self.built.app_build_id:
            outputs["app-build-id"] = self.built.app_build_id
            self.wf.info(f"Autosana registered build {plain(self.built.app_build_id, 80)}")
        self.wf.set_outputs(outputs)
        if settings.upload_only:
            headline = "Build uploaded; no flows were requested"
            self._finish(settings, self._base_report(settings, context, Result.UPLOADED, headline), publish=False)
            return EXIT_OK
        if not self.built.app_build_id:
            unpinned = "Autosana did not name the new build, so the flows run on the app's active build"
            self.wf.warning(unpinned)
            self.unpinned_note = unpinned + "."
        return None

    def _say_commit(self, git: GitTarget) -> None:
        if git.ref:
            self.wf.info(f"Flows resolve from commit {git.ref} ({git.source})")
        else:
            self.wf.warning(
                "No commit is known here (no pull request, deployment, checkout or GITHUB_SHA), so `ref` is left out "
                "of the request and Autosana picks the flows without it; set commit-sha to pin one."
            )

    def _list_dispatch_errors(self, trigger: TriggerResponse, report: Report) -> None:
        """Tests Autosana could not submit: each is said in the log and the report."""
        if not trigger.errors:
            return
        for error in trigger.errors[:MAX_LISTED_ERRORS]:
            self.wf.error(plain(str(error), 500), title="Autosana could not submit a requested test")
        listed = "; ".join(str(e) for e in trigger.errors[:MAX_LISTED_ERRORS])
        more = len(trigger.errors) - MAX_LISTED_ERRORS
        report.notes.append(
            f"{len(trigger.errors)} requested test submission(s) failed: {listed}"
            + (f" and {more} more" if more > 0 else "")
        )

    def _no_batch(self, settings: Settings, context: EventContext, trigger: TriggerResponse) -> int:
        """Autosana answered without a batch: its no-op (nothing changed to run) is a green skip;
        anything else started nothing and fails."""
        if trigger.is_noop:
            reason = trigger.reason or "No changed flows to run."
            self.wf.info(f"✅ Skipped: {plain(reason, 300)}")
            report = self._base_report(settings, context, Result.SKIPPED, f"Skipped: {reason}")
            report.batch_url = trigger.batch_url
            report.notes.append(
                "Autosana found nothing to run, so it created no batch and there is nothing to wait for."
            )
            self._finish(settings, report, publish=True)
            return EXIT_OK
        runs = trigger.flow_run_count
        headline = "Autosana started no batch"
        report = self._base_report(settings, context, Result.ERROR, headline)
        self._list_dispatch_errors(trigger, report)
        if not trigger.errors:
            report.notes.append(
                f"The answer had no batch ID ({runs if runs is not None else 'no'} flows) and no skipped marker, so "
                "nothing is running; check the selectors, or whether the pull request has changed flows."
            )
        self._finish(settings, report, publish=True)
        return EXIT_FAILED

    def _explain(self, fetcher: DetailFetcher, report: Report) -> None:
        """Run details for the runs worth explaining, and what changed since the last report."""
        assert report.status is not None
        fetcher.submit_finished(report.status)
        fetcher.collect()
        report.details = fetcher.details
        if fetcher.errors:
            self.wf.warning(f"{len(fetcher.errors)} run details could not be read; first: {fetcher.errors[0]}")
        if fetcher.left_out_problems:
            shown = sum(1 for _, run in report.status.runs() if is_problem(run) and run.id in report.details)
            more = fetcher.left_out_problems
            report.notes.append(f"Details are shown for {shown} runs that did not pass; {more} more are on Autosana.")
        previous = self.publisher.previous_state()
        if previous is not None:
            report.comparison = Comparison.between(previous, report.status)

    def _base_report(self, settings: Settings, context: EventContext, result: Result, headline: str) -> Report:
        built = self.built
        report = Report(
            result=result,
            headline=headline,
            check_name=settings.check_name,
            app=describe_target(settings),
            build=built.app_build_id if built and built.app_build_id else _str(settings.app_build_id),
            build_file=built.description if built else (self.build.shown if self.build else None),
            commit=context.head_sha,
            branch=context.branch,
            workflow_run_url=context.workflow_run_url,
            artifact_links=settings.shows_artifact_links(context.private_repo),
        )
        if self.unpinned_note:
            report.notes.append(self.unpinned_note)
        return report

    def _finish(self, settings: Settings, report: Report, *, publish: bool) -> None:
        """Log, outputs and job summary first: they must survive GitHub being slow or refusing."""
        if self.watchdog is not None:  # from here on, the step's exit status is known
            self.watchdog.code = outcome_for(report.result, settings.fail_on_results).exit_code
        log_verdict(self.wf, report, settings.fail_on_results)
        self.wf.set_outputs(self._outputs(settings, report))
        if settings.job_summary:
            self.wf.write_summary(render_job_summary(report))
        if not publish:
            return
        self.publisher.finish_check(report)
        self.publisher.upsert_comment(report)
        links = {"comment-url": self.publisher.comment_url, "check-run-url": self.publisher.check_run_url}
        self.wf.set_outputs({name: url for name, url in links.items() if url})

    def _outputs(self, settings: Settings, report: Report) -> dict[str, str]:
        counts = report.counts or Counts({})
        outputs = {"result": report.result.value, "total-flows": str(counts.total)}
        outputs.update({f"{s}-flows": str(counts.get(s)) for s in COUNT_OUTPUTS})
        if report.batch_id:
            outputs["batch-id"] = report.batch_id
        if report.batch_url:
            outputs["batch-url"] = report.batch_url
        outputs.update(self._write_files(settings, report))
        return outputs

    def _write_files(self, settings: Settings, report: Report) -> dict[str, str]:
        workspace = Path(self.env.get("GITHUB_WORKSPACE") or ".")
        written: dict[str, str] = {}
        try:
            context = self.publisher.context
            target, job = describe_job(settings, self.env, context.head_sha, context.workflow_run_url)
            write_results(report, workspace / RESULTS_FILE, target, job, redactor=self.wf.redactor)
            written["results-json"] = RESULTS_FILE
            if settings.junit_path:
                write_junit(report, workspace / settings.junit_path, redactor=self.wf.redactor)
        except OSError as exc:
            self.wf.warning(f"Could not write the results files: {exc}")
        return written


def _str(value: object) -> str | None:
    return str(value) if value else None


def describe_target(settings: Settings) -> str:
    if settings.bundle_id:
        return f"{settings.bundle_id} ({settings.platform})"
    return f"web app {settings.app_id}"


def run(env: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> int:
    """The entrypoint's run: its process ends at timeout-minutes plus the reporting allowance."""
    return ActionRun(env, watchdog=True).main(overrides)
