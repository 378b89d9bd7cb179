"""One run of the action: inputs, trigger, poll, verdict, report, exit status."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from .autosana.client import ApiError, AutosanaClient
from .autosana.details import DetailFetcher
from .autosana.models import BatchStatus, TriggerResponse, is_problem
from .autosana.poller import Outcome, PollResult, poll
from .cancellation import Cancellation
from .github.context import EventContext, load_event, with_overrides
from .github.publisher import GitHubPublisher
from .merge.flow import merge_results
from .report.console import RunLog, run_lines
from .report.history import Comparison
from .report.junit import write_junit
from .report.render import Report, render_job_summary
from .report.results_file import RESULTS_FILE, describe_job, write_results
from .settings import DEFAULT_API_URL, InvalidInputs, Settings, inputs_from_env, looks_secret, parse_settings
from .verdict import Counts, Result, judge
from .workflow import Workflow, plain

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
MAX_ANNOTATIONS = 10
COUNT_OUTPUTS = ("passed", "failed", "error", "terminated", "skipped")


def trigger_body(settings: Settings, variables: Mapping[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if settings.bundle_id:
        body["bundle_id"] = settings.bundle_id
        body["platform"] = settings.platform
    else:
        body["app_id"] = settings.app_id
        if settings.web_browser:
            body["web_browser"] = settings.web_browser
    if settings.app_build_id:
        body["app_build_id"] = str(settings.app_build_id)
    if settings.suite_ids:
        body["suite_ids"] = [str(s) for s in settings.suite_ids]
    if settings.flow_ids:
        body["flow_ids"] = [str(f) for f in settings.flow_ids]
        body["resolve_suite_context"] = settings.resolve_suite_context
        if settings.suite_overrides and settings.resolve_suite_context:
            body["suite_overrides"] = {str(k): str(v) for k, v in settings.suite_overrides.items()}
    if settings.labels:
        body["labels"] = list(settings.labels)
    if variables:
        body["variables"] = dict(variables)
    return body


def exit_code(result: Result, settings: Settings) -> int:
    if result in (Result.PASSED, Result.TRIGGERED):
        return EXIT_OK
    if result in (Result.FAILED, Result.NO_FLOWS) and not settings.fail_on_results:
        return EXIT_OK
    return EXIT_FAILED


class ActionRun:
    def __init__(
        self,
        env: Mapping[str, str],
        *,
        stdout: TextIO | None = None,
        cancellation: Cancellation | None = None,
    ) -> None:
        self.env = env
        self.wf = Workflow(env, stdout)
        self.cancellation = cancellation or Cancellation()

    def main(self, overrides: Mapping[str, str] | None = None) -> int:
        raw = {**inputs_from_env(self.env), **(overrides or {})}
        for name in ("api-key", "github-token"):
            if raw.get(name):
                self.wf.mask(raw[name])
        if not raw.get("results", "").strip():
            self._forget_old_results()
        try:
            settings = parse_settings(raw)
        except InvalidInputs as exc:
            for problem in exc.problems:
                self.wf.error(problem.message(), title=f"Invalid input: {problem.input}")
            return EXIT_USAGE
        context = with_overrides(load_event(self.env), settings.pr_number, settings.commit_sha)
        if settings.is_merge:
            merged = merge_results(settings, context, self.wf, self.env)
            return EXIT_USAGE if merged.refused else exit_code(merged.result, settings)
        variables = (
            {**context.pr_variables(), **settings.variables} if settings.pr_variables else dict(settings.variables)
        )
        for key, value in variables.items():
            if looks_secret(key):
                self.wf.mask(value)
        self._warn_about(settings)
        return self._run(settings, context, variables)

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
        if settings.poll_interval < 10 and settings.api_url == DEFAULT_API_URL:
            self.wf.warning(
                f"poll-interval {settings.poll_interval:g}s is below the 10-15 s the Autosana API asks for."
            )

    def _run(self, settings: Settings, context: EventContext, variables: Mapping[str, str]) -> int:
        self.publisher = GitHubPublisher(settings, context, self.wf)
        target = describe_target(settings)
        self.wf.info(f"Starting Autosana flows for {target} on {settings.api_url}")
        if variables:
            self.wf.info(f"Variables: {', '.join(sorted(variables))}")
        with AutosanaClient(settings.api_url, settings.api_key.get_secret_value()) as client:
            try:
                trigger = client.trigger(trigger_body(settings, variables))
            except ApiError as exc:
                self.wf.error(str(exc), title="Autosana did not start the flows")
                report = self._base_report(settings, context, Result.ERROR, "The flows were not started")
                report.notes.append(str(exc))
                self._finish(settings, report, publish=True)
                return EXIT_USAGE if exc.status in (400, 401, 403, 404, 422) else EXIT_FAILED

            self.wf.set_outputs({"batch-id": trigger.batch_id})
            count = f"{trigger.flow_run_count} flows" if trigger.flow_run_count is not None else "flows"
            self.wf.info(f"Started {count} in batch {plain(trigger.batch_id, 80)}")
            report = self._base_report(settings, context, Result.TRIGGERED, f"Started {count}; waiting for results")
            report.batch_id = trigger.batch_id
            if settings.job_summary:
                self.wf.write_summary(render_job_summary(report))
            if not settings.wait:
                report.headline = f"Started {count}; not waiting for results (wait: false)"
                self._finish(settings, report, publish=False)
                return EXIT_OK

            self.cancellation.install()
            self.publisher.resolve_pr()
            log = RunLog(self.wf)
            detail_client = AutosanaClient(settings.api_url, settings.api_key.get_secret_value())
            fetcher = DetailFetcher(detail_client)

            def on_status(status: BatchStatus) -> None:
                log.update(status)
                fetcher.submit_finished(status)
                # Created on the first status, so its link can go to the Autosana run group; the
                # previous comment is read while the flows run, not after.
                first_group = status.run_groups[0].url if status.run_groups else None
                self.publisher.start_check(trigger.batch_id, first_group)
                self.publisher.previous_state()

            polled = poll(
                client,
                trigger.batch_id,
                interval=settings.poll_interval,
                timeout=settings.timeout_minutes * 60,
                cancellation=self.cancellation,
                workflow=self.wf,
                on_status=on_status,
            )
            self._conclude(report, polled, settings, trigger)
            with detail_client:
                if polled.outcome is not Outcome.CANCELLED and report.status is not None:
                    self._explain(fetcher, report)
                else:
                    fetcher.close()
        self._finish(settings, report, publish=True)
        return exit_code(report.result, settings)

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
        return Report(
            result=result,
            headline=headline,
            check_name=settings.check_name,
            app=describe_target(settings),
            build=str(settings.app_build_id) if settings.app_build_id else None,
            commit=context.head_sha,
            branch=context.branch,
            workflow_run_url=context.workflow_run_url,
        )

    def _conclude(self, report: Report, polled: PollResult, settings: Settings, trigger: TriggerResponse) -> None:
        status = polled.status
        report.status = status
        if status is not None:
            report.counts = Counts.of(status)
            _adopt_batch_facts(report, status)
        minutes = f"{settings.timeout_minutes:g} min"
        if polled.outcome is Outcome.COMPLETE and status is not None:
            verdict = judge(status, settings.fail_on, trigger.flow_run_count)
            report.result, report.headline, report.problems = (
                verdict.result,
                verdict.headline,
                verdict.problems,
            )
            if not settings.fail_on_results and not verdict.green:
                report.notes.append("fail-on is none, so this result does not fail the step.")
            return
        progress = ""
        if report.counts is not None:
            finished = report.counts.total - report.counts.other
            progress = f" with {finished} of {report.counts.total} flows finished"
        if polled.outcome is Outcome.TIMED_OUT:
            report.result = Result.TIMED_OUT
            report.headline = f"Timed out after {minutes}{progress}"
            report.notes.append(
                "The flows may still be running on Autosana; raise timeout-minutes if they need longer."
            )
        elif polled.outcome is Outcome.CANCELLED:
            report.result = Result.CANCELLED
            report.headline = f"Cancelled{progress}"
            report.notes.append("The workflow was cancelled; the flows may still be running on Autosana.")
        else:
            report.result = Result.ERROR
            report.headline = f"Stopped polling: Autosana refused the status request{progress}"
        if polled.error:
            report.notes.append(f"Last error: {polled.error}")

    def _finish(self, settings: Settings, report: Report, *, publish: bool) -> None:
        """Log, outputs and job summary first: they must survive GitHub being slow or refusing."""
        self._log_verdict(settings, report)
        counts = report.counts or Counts({})
        outputs = {"result": report.result.value, "total-flows": str(counts.total)}
        outputs.update({f"{s}-flows": str(counts.get(s)) for s in COUNT_OUTPUTS})
        if report.batch_id:
            outputs["batch-id"] = report.batch_id
        outputs.update(self._write_files(settings, report))
        self.wf.set_outputs(outputs)
        if settings.job_summary:
            self.wf.write_summary(render_job_summary(report))
        if not publish:
            return
        self.publisher.finish_check(report)
        self.publisher.upsert_comment(report)
        links = {"comment-url": self.publisher.comment_url, "check-run-url": self.publisher.check_run_url}
        self.wf.set_outputs({name: url for name, url in links.items() if url})

    def _write_files(self, settings: Settings, report: Report) -> dict[str, str]:
        workspace = Path(self.env.get("GITHUB_WORKSPACE") or ".")
        written: dict[str, str] = {}
        try:
            context = self.publisher.context
            target, job = describe_job(settings, self.env, context.head_sha, context.workflow_run_url)
            write_results(report, workspace / RESULTS_FILE, target, job)
            written["results-json"] = RESULTS_FILE
            if settings.junit_path:
                write_junit(report, workspace / settings.junit_path)
        except OSError as exc:
            self.wf.warning(f"Could not write the results files: {exc}")
        return written

    def _log_verdict(self, settings: Settings, report: Report) -> None:
        runs = report.status.runs() if report.status else []
        if runs:
            with self.wf.group(f"All {len(runs)} runs"), self.wf.untrusted():
                for group, run in runs:
                    self.wf.info(run_lines(group, run, with_summary=True))
        failing = [(g, r) for g, r in runs if is_problem(r)]
        if failing and report.result in (Result.FAILED, Result.TIMED_OUT, Result.CANCELLED):
            annotate = self.wf.error if settings.fail_on_results else self.wf.warning
            for group, run in failing[:MAX_ANNOTATIONS]:
                message = f"{plain(run.status, 20)}: {plain(run.summary, 500) or 'no summary'}"
                if run.url:
                    message += f"\n{plain(run.url, 300)}"
                annotate(message, title=f"{plain(group.name, 80)} › {plain(run.name, 120)}")
            if len(failing) > MAX_ANNOTATIONS:
                self.wf.notice(f"{len(failing) - MAX_ANNOTATIONS} more runs did not pass; see the job summary.")
        for problem in report.problems:
            self.wf.warning(problem, title="Autosana counters disagree")
        headline = f"{report.check_name}: {report.headline}"
        if report.result in (Result.PASSED, Result.TRIGGERED):
            self.wf.info(f"✅ {headline}")
        elif report.result is Result.NO_FLOWS or not settings.fail_on_results:
            self.wf.warning(headline)
        else:
            self.wf.error(headline)
        for note in report.notes:
            self.wf.info(note)


def describe_target(settings: Settings) -> str:
    if settings.bundle_id:
        return f"{settings.bundle_id} ({settings.platform})"
    return f"web app {settings.app_id}"


def _adopt_batch_facts(report: Report, status: BatchStatus) -> None:
    """The batch knows best what it ran on."""
    if status.app and status.app.name:
        report.app = f"{status.app.name} ({status.app.id or report.app}, {status.app.platform or '?'})"
    if status.git and status.git.commit_sha:
        report.commit = status.git.commit_sha
    if status.git and status.git.branch:
        report.branch = status.git.branch


def run(env: Mapping[str, str], overrides: Mapping[str, str] | None = None) -> int:
    return ActionRun(env).main(overrides)
