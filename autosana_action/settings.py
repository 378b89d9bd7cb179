"""The action's inputs, gathered: each stage declares and checks its own (``<stage>/inputs.py``);
this reads them from the runner's ``INPUT_*`` variables (or CLI flags), validates them all before
anything talks to an API, and reports every problem at once, each naming the input and the fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, ValidationError

from .autosana import inputs as connection
from .autosana.inputs import ConnectionInputs
from .explain import inputs as explain
from .explain.inputs import ExplainInputs
from .github import inputs as publish
from .github.inputs import PublishInputs
from .inputs import InputProblem, InvalidInputs
from .merge import inputs as merge
from .merge.inputs import MergeInputs
from .poll import inputs as poll
from .poll.inputs import PollInputs
from .report import inputs as report
from .report.inputs import ReportInputs
from .trigger import inputs as trigger
from .trigger.inputs import TriggerInputs
from .upload import inputs as upload
from .upload.inputs import UploadInputs

if TYPE_CHECKING:
    from .upload.locate import LocatedBuild

# Input name -> how to fix a bad value. The first sentence of each error says what is wrong;
# this says what to do about it.
FIXES: dict[str, str] = {
    **connection.FIXES,
    **trigger.FIXES,
    **poll.FIXES,
    **upload.FIXES,
    **report.FIXES,
    **explain.FIXES,
    **publish.FIXES,
    **merge.FIXES,
}
SECRET_INPUTS = frozenset({"api-key", "github-token", "variables", "redact"})
INPUT_NAMES = tuple(FIXES)


# pydantic lists the fields of the last base first: this is the order problems are reported in.
class Settings(
    MergeInputs,
    PublishInputs,
    ExplainInputs,
    ReportInputs,
    UploadInputs,
    PollInputs,
    TriggerInputs,
    ConnectionInputs,
):
    """Validated inputs. Field aliases are the action.yml input names."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @property
    def upload_only(self) -> bool:
        """Upload or register and stop: nothing selected and no changed flows asked for (a
        chrome-extension upload never runs flows itself)."""
        if self.platform == "chrome-extension":
            return self.uploads
        return self.uploads and not (self.has_selectors or self.run_changed_flows)

    @property
    def sends_report_to_github(self) -> bool:
        """Autosana's GitHub App reports too when asked; by default only when we do not (our
        comment is off, or we do not wait for the end), so a PR never shows two reports."""
        if self.report_to_github != "auto":
            return self.report_to_github == "true"
        return self.comment_mode == "off" or not self.wait


def inputs_from_env(env: Mapping[str, str]) -> dict[str, str]:
    """The runner passes every input as INPUT_<NAME> with the name upper-cased and hyphens kept,
    and an empty string for unset ones."""
    found: dict[str, str] = {}
    for name in INPUT_NAMES:
        for key in (f"INPUT_{name.upper()}", f"INPUT_{name.upper().replace('-', '_')}"):
            if key in env:
                found[name] = env[key]
                break
    return found


def parse_settings(raw: Mapping[str, str]) -> Settings:
    """Validate every input and raise InvalidInputs listing all problems at once."""
    given = {name: value.strip() for name, value in raw.items() if value.strip()}
    try:
        settings = Settings.model_validate(given)
    except ValidationError as exc:
        problems = [_problem(err, given) for err in exc.errors()]
        if "api-key" not in given and "results" not in given:
            problems.insert(0, InputProblem("api-key", "is required but empty"))
        raise _invalid(problems + _cross_check_valid_fields(given, {p.input for p in problems})) from None
    problems = _cross_check(settings)
    if problems:
        raise _invalid(problems)
    return settings


def _invalid(problems: list[InputProblem]) -> InvalidInputs:
    return InvalidInputs([replace(p, fix=p.fix or FIXES.get(p.input, "")) for p in problems])


def _cross_check_valid_fields(given: Mapping[str, str], broken: set[str]) -> list[InputProblem]:
    """The cross-field problems among the inputs that are valid on their own, so one round trip
    shows them all. A check that reads a broken input is left out: its answer would be a guess."""
    valid = {name: value for name, value in given.items() if name not in broken}
    valid.setdefault("api-key", "placeholder")  # its own problem is already reported
    try:
        settings = Settings.model_validate(valid)
    except ValidationError:
        return []
    return [p for p in _cross_check(settings) if not (_CROSS_CHECK_READS.get(p.input, set()) & broken)]


# Which inputs each cross-field problem (keyed by the input it is reported against) depends on.
_CROSS_CHECK_READS = {
    "bundle-id": {"bundle-id", "app-id"},
    "app-id": {"bundle-id", "app-id"},
    "platform": {"bundle-id", "app-id", "platform"},
    "suite-ids": {"suite-ids", "flow-ids", "labels"},
    "suite-overrides": {"suite-overrides", "flow-ids"},
}


def _problem(err: Any, given: Mapping[str, str]) -> InputProblem:
    loc = err.get("loc") or ("inputs",)
    name = str(loc[0]).replace("_", "-")
    if err["type"] == "missing":
        return InputProblem(name, "is required but empty")
    reason = str(err["msg"]).removeprefix("Value error, ")
    value = given.get(name)
    if len(loc) > 1 and err["type"] == "uuid_parsing" and isinstance(err.get("input"), str):
        reason = f"{err['input']!r} is not a UUID"
    elif err["type"] == "uuid_parsing" and value is not None:
        reason = f"{value!r} is not a UUID"
    elif err["type"] == "literal_error" and value is not None:
        reason = f"{value!r} is not one of the allowed values"
    elif err["type"] in ("float_parsing", "float_type") and value is not None:
        reason = f"{value!r} is not a number"
    elif err["type"] == "string_pattern_mismatch" and value is not None and name == "repo-full-name":
        reason = f"{value!r} is not owner/name"
    elif err["type"] == "string_pattern_mismatch" and value is not None:
        reason = f"{value!r} is not a full commit SHA"
    elif err["type"] in ("int_parsing", "int_from_float") and value is not None:
        reason = f"{value!r} is not a whole number"
    elif err["type"] == "finite_number" and value is not None:
        reason = f"{value!r} is not a finite number"
    elif name not in SECRET_INPUTS and value is not None and err["type"] in ("greater_than_equal", "greater_than"):
        reason = f"{value!r} is too small ({reason.lower()})"
    return InputProblem(name, reason)


def _cross_check(s: Settings) -> list[InputProblem]:
    """The rules between inputs, each stage's in pipeline order."""
    if s.is_merge:
        return merge.merge_problems(s)
    problems: list[InputProblem] = []
    if not s.api_key.get_secret_value():
        problems.append(InputProblem("api-key", "is required but empty"))
    problems += merge.single_job_problems(s)
    problems += trigger.app_problems(s)
    problems += upload.upload_problems(s)
    problems += trigger.selector_problems(s)
    return problems


def input_warnings(s: Settings, build: LocatedBuild | None) -> list[str]:
    """Inputs that are valid but do nothing here: said once, before anything starts."""
    warnings: list[str] = []
    if s.web_browser and not s.is_web:
        warnings.append("web-browser is ignored for mobile runs (bundle-id is set).")
    if s.suite_overrides and not s.resolve_suite_context:
        warnings.append("suite-overrides is ignored because resolve-suite-context is false.")
    if s.platform == "android-arm64-gplay":
        warnings.append("platform android-arm64-gplay is deprecated; it is passed on to Autosana as given.")
    if s.environment and s.platform == "chrome-extension":
        warnings.append("environment is ignored for chrome-extension uploads.")
    remap = s.enable_ios_keychain_access_group_remapping
    if remap is not None and not (build and build.is_ipa and trigger.platform_family(s.platform or "") == "ios"):
        warnings.append("enable-ios-keychain-access-group-remapping only applies to an iOS .ipa; ignored.")
    if s.is_web and s.has_device_inputs:
        warnings.append("device selection inputs are mobile-only; ignoring them for platform 'web'.")
    if s.poll_interval < 10 and s.api_url == connection.DEFAULT_API_URL:
        warnings.append(f"poll-interval {s.poll_interval:g}s is below the 10-15 s the Autosana API asks for.")
    return warnings
