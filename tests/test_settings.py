"""Every input is validated before any request, and each problem names the input and the fix."""

from __future__ import annotations

from uuid import UUID

import pytest
from pydantic import SecretStr

from autosana_action.inputs import InvalidInputs
from autosana_action.settings import FIXES, Settings, inputs_from_env, parse_settings

SUITE = "550e8400-e29b-41d4-a716-446655440000"
FLOW = "660e8400-e29b-41d4-a716-446655440001"
VALID = {"api-key": "k3y-value", "bundle-id": "com.company.app", "platform": "android", "suite-ids": SUITE}


def parse(**changes: str) -> Settings:
    raw = dict(VALID)
    raw.update({k.replace("_", "-"): v for k, v in changes.items()})
    return parse_settings(raw)


def problems(**changes: str) -> dict[str, str]:
    with pytest.raises(InvalidInputs) as caught:
        parse(**changes)
    return {p.input: p.message() for p in caught.value.problems}


def test_defaults() -> None:
    s = parse()
    assert s.api_url == "https://backend.autosana.ai"
    assert s.poll_interval == 10 and s.timeout_minutes == 60
    assert s.fail_on == {"failed", "error", "terminated", "skipped"}
    assert s.wait and s.pr_variables and s.resolve_suite_context and s.check_run and s.job_summary
    assert s.comment_mode == "always" and s.check_name == "Autosana"


def test_runner_env_names_keep_hyphens() -> None:
    env = {"INPUT_API-KEY": "abc", "INPUT_SUITE-IDS": SUITE, "INPUT_POLL_INTERVAL": "3", "OTHER": "x"}
    assert inputs_from_env(env) == {"api-key": "abc", "suite-ids": SUITE, "poll-interval": "3"}


def test_id_lists_split_on_commas_spaces_and_newlines() -> None:
    other = "550e8400-e29b-41d4-a716-446655440002"
    s = parse(suite_ids=f" {SUITE},{other}\n", flow_ids=f"{FLOW}  {FLOW.upper()}")
    assert s.suite_ids == [UUID(SUITE), UUID(other)]
    assert s.flow_ids == [UUID(FLOW), UUID(FLOW)]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("PR_NUMBER=42,BRANCH=feature/login", {"PR_NUMBER": "42", "BRANCH": "feature/login"}),
        ("A=1\nB=two words\n\nC=", {"A": "1", "B": "two words", "C": ""}),
        ("LIST=a,b,c,NEXT=x", {"LIST": "a,b,c", "NEXT": "x"}),
        ("URL=https://x.test/?a=b&c=d", {"URL": "https://x.test/?a=b&c=d"}),
        ('{"A": "1", "B": 2, "C": true}', {"A": "1", "B": "2", "C": "true"}),
    ],
)
def test_variables_forms(raw: str, expected: dict[str, str]) -> None:
    assert parse(variables=raw).variables == expected


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Chrome", "chrome"),
        ("Google Chrome", "chrome"),
        ("msedge", "edge"),
        ("Microsoft Edge", "edge"),
        ("firefox", "firefox"),
        ("chromium", "chromium"),
    ],
)
def test_browser_aliases_are_normalised(alias: str, name: str) -> None:
    assert parse(bundle_id="", platform="", app_id="web-1", web_browser=alias).web_browser == name


def test_fail_on_none_and_lists() -> None:
    assert parse(fail_on="none").fail_on == frozenset()
    assert parse(fail_on="failed, skipped").fail_on == {"failed", "skipped"}


def test_decimals_allowed() -> None:
    s = parse(poll_interval="0.5", timeout_minutes="0.25")
    assert s.poll_interval == 0.5 and s.timeout_minutes == 0.25


@pytest.mark.parametrize(
    ("changes", "name", "words"),
    [
        ({"api_key": ""}, "api-key", "required"),
        ({"api_url": "ftp://x"}, "api-url", "not an http(s) URL"),
        ({"api_url": "backend.autosana.ai"}, "api-url", "not an http(s) URL"),
        ({"platform": ""}, "platform", "needs platform android, ios or chrome-extension"),
        ({"platform": "windows"}, "platform", "'windows' is not a platform"),
        ({"app_id": "web-1"}, "bundle-id", "both set"),
        ({"bundle_id": "", "app_id": "web-1"}, "platform", "app-id is a web app"),
        ({"bundle_id": "", "platform": ""}, "app-id", "neither app-id"),
        ({"app_build_id": "build-7"}, "app-build-id", "'build-7' is not a UUID"),
        ({"suite_ids": "not-a-uuid"}, "suite-ids", "'not-a-uuid' is not a UUID"),
        ({"suite_ids": f"{SUITE},oops"}, "suite-ids", "'oops' is not a UUID"),
        ({"suite_ids": " ", "run_changed_flows": "false"}, "suite-ids", "nothing to run"),
        ({"run_changed_flows": "maybe"}, "run-changed-flows", "'maybe' is not true or false"),
        ({"flow_keys": "auth/login"}, "flow-keys", "cannot be combined with flow-ids, suite-ids, or labels"),
        ({"repo_full_name": "just-a-name"}, "repo-full-name", "'just-a-name' is not owner/name"),
        ({"physical_device": "sometimes"}, "physical-device", "not true or false"),
        ({"devices": '[{"physical": false}]'}, "devices", "exactly two objects"),
        ({"devices": "[{bad json]"}, "devices", "not valid JSON"),
        ({"devices": '[{"physical": "yes", "modell": "x"}, {"physical": false}]'}, "devices", "may only have"),
        ({"devices": '[{"physical": false, "model": "  "}, {"physical": false}]'}, "devices", "non-empty string"),
        (
            {"devices": '[{"physical": false}, {"physical": false}]', "device_model": "Pixel 10 Pro"},
            "devices",
            "cannot be combined",
        ),
        ({"report_to_github": "sometimes"}, "report-to-github", "not one of the allowed values"),
        ({"flow_ids": "123"}, "flow-ids", "'123' is not a UUID"),
        ({"resolve_suite_context": "maybe"}, "resolve-suite-context", "not true or false"),
        ({"suite_overrides": "{nope"}, "suite-overrides", "not valid JSON"),
        ({"suite_overrides": "[1]"}, "suite-overrides", "not a JSON object"),
        ({"suite_overrides": '{"x": "y"}'}, "suite-overrides", "not a UUID"),
        ({"suite_overrides": f'{{"{FLOW}": "{SUITE}"}}'}, "suite-overrides", "not in flow-ids"),
        ({"variables": "just words"}, "variables", "not KEY=VALUE"),
        ({"variables": "1BAD=x"}, "variables", "not KEY=VALUE"),
        ({"variables": '{"A": '}, "variables", "does not parse"),
        ({"variables": '{"A": {"nested": 1}}'}, "variables", "not a string, number or boolean"),
        ({"pr_variables": "yes please"}, "pr-variables", "not true or false"),
        ({"web_browser": "safari"}, "web-browser", "'safari' is not a supported browser"),
        ({"wait": "sometimes"}, "wait", "not true or false"),
        ({"poll_interval": "fast"}, "poll-interval", "'fast' is not a number"),
        ({"poll_interval": "0.01"}, "poll-interval", "too small"),
        ({"poll_interval": "nan"}, "poll-interval", "finite"),
        ({"timeout_minutes": "0"}, "timeout-minutes", "too small"),
        ({"timeout_minutes": "-5"}, "timeout-minutes", "too small"),
        ({"timeout_minutes": "inf"}, "timeout-minutes", "finite"),
        ({"fail_on": "failed,broken"}, "fail-on", "broken is not a run status"),
        ({"fail_on": "passed"}, "fail-on", "passed is not a run status"),
        ({"comment_mode": "sometimes"}, "comment-mode", "not one of the allowed values"),
        ({"check_name": "x" * 101}, "check-name", "at most 100"),
        ({"check_run": "nope"}, "check-run", "not true or false"),
        ({"job_summary": "2"}, "job-summary", "not true or false"),
        ({"pr_number": "abc"}, "pr-number", "'abc' is not a whole number"),
        ({"junit_path": "/etc/junit.xml"}, "junit-path", "not a relative path inside the workspace"),
        ({"junit_path": "../outside.xml"}, "junit-path", "not a relative path inside the workspace"),
        ({"pr_number": "0"}, "pr-number", "too small"),
        ({"commit_sha": "abc123"}, "commit-sha", "'abc123' is not a full commit SHA"),
    ],
)
def test_each_bad_input_is_named_with_its_fix(changes: dict[str, str], name: str, words: str) -> None:
    found = problems(**changes)
    assert name in found, found
    assert words in found[name]
    assert found[name].startswith(f"Input '{name}': ")
    assert found[name].endswith(FIXES[name])


def test_all_problems_are_reported_at_once() -> None:
    found = problems(poll_interval="x", wait="perhaps", web_browser="lynx")
    assert set(found) == {"poll-interval", "wait", "web-browser"}


def test_secret_values_are_not_echoed_in_errors() -> None:
    found = problems(variables="PASSWORD hunter2-secret")
    assert "hunter2" not in found["variables"]


def test_every_fix_belongs_to_an_input_in_action_yml() -> None:
    import yaml
    from action_harness import ROOT

    inputs = set(yaml.safe_load((ROOT / "action.yml").read_text())["inputs"])
    assert set(FIXES) == inputs


def problems_of(raw: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InvalidInputs) as caught:
        parse_settings(raw)
    return {p.input: p.message() for p in caught.value.problems}


def test_cross_field_problems_come_with_field_problems() -> None:
    # The review's case: a bad poll-interval, ios with no app, no key and nothing to run.
    found = problems_of({"poll-interval": "soon", "platform": "ios", "run-changed-flows": "false"})
    assert set(found) == {"api-key", "poll-interval", "app-id", "suite-ids"}
    assert "neither app-id (web) nor bundle-id (mobile) is set" in found["app-id"]
    assert "nothing to run" in found["suite-ids"]


def test_cross_field_problems_with_a_bad_field_elsewhere() -> None:
    found = problems(
        wait="perhaps", platform="", suite_ids="", run_changed_flows="false", suite_overrides=f'{{"{FLOW}": "{SUITE}"}}'
    )
    assert set(found) == {"wait", "platform", "suite-ids", "suite-overrides"}


def test_a_broken_input_does_not_cause_a_guessed_cross_field_problem() -> None:
    # suite-ids is set but invalid: "nothing to run" would be wrong, the UUID error is the news.
    found = problems(suite_ids="not-a-uuid", platform="")
    assert set(found) == {"suite-ids", "platform"}
    assert "'not-a-uuid' is not a UUID" in found["suite-ids"]
    # platform is set but not one of the values: no second guess about what bundle-id needs.
    assert set(problems(platform="symbian", poll_interval="x")) == {"platform", "poll-interval"}
    assert "'symbian' is not a platform" in problems(platform="symbian")["platform"]


def _given(default: object) -> bool:
    """A default action.yml must state too: False is one, an empty value is not."""
    if isinstance(default, SecretStr):
        default = default.get_secret_value()
    return default not in (None, "", [], {})


def test_action_yml_defaults_are_the_settings_defaults() -> None:
    import yaml
    from action_harness import ROOT

    inputs = yaml.safe_load((ROOT / "action.yml").read_text())["inputs"]
    # github-token's default is an expression the runner fills in; it is tested end to end.
    defaults = {name: str(spec["default"]) for name, spec in inputs.items() if "default" in spec}
    assert defaults.pop("github-token") == "${{ github.token }}"
    fields = {(field.alias or name): name for name, field in Settings.model_fields.items()}
    with_a_default = {
        alias
        for alias, name in fields.items()
        if not Settings.model_fields[name].is_required()
        and _given(Settings.model_fields[name].get_default(call_default_factory=True))
    }
    assert set(defaults) == with_a_default
    from_yml, from_code = parse_settings({**VALID, **defaults}), parse()
    differing = {
        alias: (value, getattr(from_code, fields[alias]))
        for alias, value in defaults.items()
        if getattr(from_yml, fields[alias]) != getattr(from_code, fields[alias])
    }
    assert differing == {}


def test_changed_flows_need_no_selector_and_keys_keep_inner_spaces() -> None:
    s = parse(suite_ids="", flow_keys=" auth/login , checkout flow\nsmoke/x ", suite_keys="")
    assert s.run_changed_flows and s.suite_ids == []
    assert s.flow_keys == ["auth/login", "checkout flow", "smoke/x"]
    assert parse(suite_ids="").run_changed_flows


def test_devices_on_web_are_not_validated() -> None:
    s = parse(bundle_id="", platform="", app_id="shop", devices="[{bad json]", physical_device="true")
    assert s.is_web and s.has_device_inputs


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, False),
        ({"comment_mode": "off"}, True),
        ({"wait": "false"}, True),
        ({"report_to_github": "true"}, True),
        ({"report_to_github": "FALSE", "wait": "false"}, False),
    ],
)
def test_report_to_github_auto_means_only_when_we_do_not_post(changes: dict[str, str], expected: bool) -> None:
    assert parse(**changes).sends_report_to_github is expected
