"""The action's inputs: read from the runner's ``INPUT_*`` variables (or CLI flags), validated
in full before anything talks to an API, with errors that name the input and the fix."""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from uuid import UUID

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

DEFAULT_API_URL = "https://backend.autosana.ai"
FAILABLE_STATUSES = ("failed", "error", "terminated", "skipped")
DEFAULT_FAIL_ON = "failed,error,terminated,skipped"

BROWSER_ALIASES = {
    "chrome": "chrome",
    "google chrome": "chrome",
    "chromium": "chromium",
    "firefox": "firefox",
    "edge": "edge",
    "msedge": "edge",
    "microsoft edge": "edge",
}

# Input name -> how to fix a bad value. The first sentence of each error says what is wrong;
# this says what to do about it.
FIXES: dict[str, str] = {
    "api-key": "Pass your Autosana API key from a secret: `api-key: ${{ secrets.AUTOSANA_API_KEY }}`.",
    "api-url": (
        "Use an https URL such as https://backend.autosana.ai, or leave it empty; plain http only to localhost "
        "or a loopback or private IP address (a local simulator or proxy)."
    ),
    "bundle-id": "Set bundle-id (mobile) or app-id (web), not both.",
    "platform": (
        "Use android or ios (or a value starting with them, e.g. android-arm64) or chrome-extension with "
        "bundle-id; leave it empty (or web) with app-id."
    ),
    "app-id": "Set app-id (web) or bundle-id with platform (mobile).",
    "app-build-id": "Use the build's UUID from the Autosana dashboard, or leave it empty for the active build.",
    "suite-ids": "List suite UUIDs separated by commas, spaces or newlines.",
    "flow-ids": "List flow UUIDs separated by commas, spaces or newlines.",
    "labels": "List labels separated by commas or newlines.",
    "resolve-suite-context": "Use true or false.",
    "suite-overrides": 'Use a JSON object mapping flow UUIDs to suite UUIDs: {"<flow_id>": "<suite_id>"}.',
    "variables": "Use KEY=VALUE pairs separated by commas or newlines, or a JSON object of strings.",
    "pr-variables": "Use true or false.",
    "web-browser": "Use chrome, chromium, firefox or edge.",
    "wait": "Use true or false.",
    "poll-interval": "Use a number of seconds of at least 0.1, e.g. 10 (the API asks for 10-15 in production).",
    "timeout-minutes": "Use a positive number of minutes, e.g. 60.",
    "fail-on": f"Use a comma-separated list of {', '.join(FAILABLE_STATUSES)}, or none.",
    "github-token": "Pass `${{ github.token }}` or a token with checks and pull-requests write access.",
    "comment-mode": "Use always, failures or off.",
    "check-name": "Use a short non-empty name, e.g. Autosana.",
    "check-run": "Use true or false.",
    "job-summary": "Use true or false.",
    "junit-path": "Use a relative file path inside the workspace, e.g. autosana-junit.xml.",
    "pr-number": "Use the pull request number, e.g. 42, or leave it empty to take it from the event.",
    "commit-sha": "Use the full 40-character commit SHA, or leave it empty to take it from the event.",
    "on-fork": "Use fail (the default) or skip, for pull requests from forks, which get no secrets.",
    "build-path": (
        "Point it at the build file relative to the workspace (a glob must match exactly one): .apk or .aab for "
        "android, .ipa, zipped .app or .app directory for ios, .zip for chrome-extension."
    ),
    "url": "Use the http(s) URL to test, e.g. your preview deployment's URL, with app-id.",
    "name": "Use the app's display name, or leave it empty.",
    "environment": "Use the environment's name, e.g. staging, or leave it empty.",
    "dependencies": (
        'Use a JSON array of app UUIDs or {"app_id": "<uuid>", "app_build_id": "<uuid>"} objects, e.g. '
        '["<uuid>"], or [] for none.'
    ),
    "enable-ios-keychain-access-group-remapping": "Use true or false, or leave it empty for the app's saved choice.",
    "redact": "List the values to hide, one per line, e.g. `redact: ${{ secrets.TEST_USER_PASSWORD }}`.",
    "artifact-links": "Use auto, always or never.",
    "run-changed-flows": "Use true or false.",
    "flow-keys": "List code-managed flow keys (e.g. auth/login) separated by commas or newlines.",
    "suite-keys": "List code-managed suite keys (e.g. smoke) separated by commas or newlines.",
    "branch-name": "Use the branch name, or leave it empty to take it from the event.",
    "repo-full-name": "Use owner/name, or leave it empty for the repository the workflow runs in.",
    "physical-device": "Use true or false.",
    "device-model": "Use a model name such as Pixel 10 Pro, or latest (or leave it empty) for rolling selection.",
    "os-version": "Use an OS version such as 17, or latest (or leave it empty) for rolling selection.",
    "devices": "Use a JSON array of exactly two objects with physical, model and os_version, e.g. "
    '[{"physical": false}, {"physical": true, "model": "iPhone 16 Pro", "os_version": "18.5"}].',
    "report-to-github": "Use auto, true or false.",
    "target-name": "Use a short name for this job's section in a merged report, e.g. `${{ matrix.name }}`.",
    "results": "Use a glob relative to the workspace, e.g. `autosana-results/*/autosana-results.json`.",
    "expected-targets": "List the target-name of every matrix job, separated by commas or newlines, or their number.",
    "allow-other-commits": "Use true or false.",
}
SECRET_INPUTS = frozenset({"api-key", "github-token", "variables", "redact"})
INPUT_NAMES = tuple(FIXES)

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A comma only separates pairs when a KEY= follows it, so values may contain commas.
_PAIR_SEPARATOR = re.compile(r"\s*,\s*(?=[A-Za-z_][A-Za-z0-9_]*\s*=)")
_ID_SEPARATOR = re.compile(r"[\s,]+")
# A variable name looks secret when one of its words is one of these (words split on _ - . and
# camelCase, any case): STRIPE_KEY, AWS_ACCESS_KEY_ID and dbPass do; AUTHOR, TOKENIZER do not.
SECRET_WORDS = frozenset(
    "password passwords passwd pass pwd passphrase passcode secret secrets token tokens key keys apikey privatekey "  # noqa: SIM905
    "secretkey accesskey credential credentials creds auth private pin otp totp signing signature cert "
    "certificate cookie jwt bearer salt".split()
)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NAME_SEPARATOR = re.compile(r"[_\-.\s]+")


def name_words(name: str) -> list[str]:
    return [word.lower() for word in _NAME_SEPARATOR.split(_CAMEL_HUMP.sub("_", name)) if word]


def looks_secret(name: str) -> bool:
    return any(word in SECRET_WORDS for word in name_words(name))


def _split_ids(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in _ID_SEPARATOR.split(value) if part]
    return value


def _split_labels(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value


def _parse_variables(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"it looks like JSON but does not parse ({exc.msg} at line {exc.lineno})") from None
        if not isinstance(parsed, dict):
            raise ValueError("the JSON is not an object")
        return {str(k): _scalar_to_str(k, v) for k, v in parsed.items()}
    pairs: dict[str, str] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        for entry in _PAIR_SEPARATOR.split(line.strip()):
            if not entry:
                continue
            key, sep, val = entry.partition("=")
            key = key.strip()
            if not sep or not _KEY.fullmatch(key):
                shown = key if _KEY.fullmatch(key) else "an entry"
                raise ValueError(f"line {line_no}: {shown} is not KEY=VALUE (keys are letters, digits and _)")
            pairs[key] = val.strip()
    return pairs


def _scalar_to_str(key: object, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise ValueError(f"the value of {key} is not a string, number or boolean")


def _json_of(text: str, kind: type, shape: str) -> Any:
    """``text`` parsed as JSON, which must be a ``kind`` (``shape`` says which in the error)."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc.msg})") from None
    if not isinstance(parsed, kind):
        raise ValueError(f"it is not {shape}")
    return parsed


def _parse_overrides(value: Any) -> Any:
    return _json_of(value, dict, "a JSON object") if isinstance(value, str) else value


def _parse_fail_on(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parts = [p.strip().lower() for p in re.split(r"[,\s]+", value) if p.strip()]
    if parts == ["none"]:
        return frozenset()
    unknown = [p for p in parts if p not in FAILABLE_STATUSES]
    if unknown or not parts:
        raise ValueError(f"{', '.join(unknown) or 'it'} is not a run status that can fail the step")
    return frozenset(parts)


def _normalise_browser(value: Any) -> Any:
    if isinstance(value, str):
        browser = BROWSER_ALIASES.get(" ".join(value.lower().split()))
        if browser is None:
            raise ValueError(f"{value!r} is not a supported browser")
        return browser
    return value


def platform_family(platform: str) -> str:
    """android-arm64 is an Android build, ios-simulator an iOS one: flows/run takes the family."""
    for name in ("android", "ios"):
        if platform.startswith(name):
            return name
    return platform


def _platform(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    platform = value.strip().lower()
    if platform in ("web", "chrome-extension") or platform.startswith(("android", "ios")):
        return platform
    raise ValueError(f"{value!r} is not a platform")


_DEPENDENCY_KEYS = frozenset({"app_id", "app_build_id"})


def _parse_dependencies(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parsed = _json_of(value, list, "a JSON array")
    for i, item in enumerate(parsed):
        if isinstance(item, str):
            _uuid(item, f"item {i}")
        elif isinstance(item, dict):
            extra = set(item) - _DEPENDENCY_KEYS
            if extra:
                raise ValueError(f"item {i} has keys other than app_id and app_build_id: {', '.join(sorted(extra))}")
            if "app_id" not in item:
                raise ValueError(f"item {i} has no app_id")
            for key in ("app_id", "app_build_id"):
                if key in item:
                    _uuid(item[key], f"item {i} {key}")
        else:
            raise ValueError(f"item {i} is neither a UUID string nor an object")
    return parsed


def _uuid(value: Any, where: str) -> None:
    try:
        UUID(value if isinstance(value, str) else "")
    except ValueError:
        raise ValueError(f"{where} ({value!r}) is not a UUID") from None


def _split_lines(value: Any) -> Any:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


def _sent_in_clear(url: str) -> bool:
    """Plain http to anything but this machine or a private network (names other than localhost
    count as public: where they resolve is not ours to trust)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_private or address.is_link_local)


def _split_keys(value: Any) -> Any:
    """Code-managed keys are paths, so spaces inside one are kept; only the ends are trimmed."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value


DEVICE_FIELDS = frozenset({"physical", "model", "os_version"})


def parse_devices(text: str) -> list[dict[str, Any]]:
    """The devices input: exactly two {physical, model?, os_version?} objects, in order."""
    parsed = _json_of(text, object, "JSON")
    if not isinstance(parsed, list) or len(parsed) != 2 or not all(isinstance(d, dict) for d in parsed):
        raise ValueError("it must be a JSON array containing exactly two objects")
    devices: list[dict[str, Any]] = []
    for i, device in enumerate(parsed, start=1):
        unknown = sorted(set(device) - DEVICE_FIELDS)
        if unknown:
            raise ValueError(
                f"device {i} has {', '.join(unknown)}; each device may only have {', '.join(sorted(DEVICE_FIELDS))}"
            )
        if not isinstance(device.get("physical", False), bool):
            raise ValueError(f"device {i}: physical must be true or false")
        out: dict[str, Any] = {"physical": device.get("physical", False)}
        for name in ("model", "os_version"):
            value = device.get(name)
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"device {i}: {name} must be a non-empty string or null")
            out[name] = value.strip()
        devices.append(out)
    return devices


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    return value


Bool = Annotated[bool, BeforeValidator(_bool)]
IdList = Annotated[list[UUID], BeforeValidator(_split_ids)]


class Settings(BaseModel):
    """Validated inputs. Field aliases are the action.yml input names."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    # Not needed to merge results; _cross_check asks for it everywhere else.
    api_key: SecretStr = Field(SecretStr(""), alias="api-key", min_length=1)
    api_url: str = Field(DEFAULT_API_URL, alias="api-url")
    bundle_id: str | None = Field(None, alias="bundle-id")
    platform: Annotated[str | None, BeforeValidator(_platform)] = None
    app_id: str | None = Field(None, alias="app-id")
    app_build_id: UUID | None = Field(None, alias="app-build-id")
    suite_ids: IdList = Field(default_factory=list, alias="suite-ids")
    flow_ids: IdList = Field(default_factory=list, alias="flow-ids")
    labels: Annotated[list[str], BeforeValidator(_split_labels)] = Field(default_factory=list)
    resolve_suite_context: Bool = Field(True, alias="resolve-suite-context")
    suite_overrides: Annotated[dict[UUID, UUID], BeforeValidator(_parse_overrides)] = Field(
        default_factory=dict, alias="suite-overrides"
    )
    variables: Annotated[dict[str, str], BeforeValidator(_parse_variables)] = Field(default_factory=dict)
    pr_variables: Bool = Field(True, alias="pr-variables")
    web_browser: Annotated[
        Literal["chrome", "chromium", "firefox", "edge"] | None, BeforeValidator(_normalise_browser)
    ] = Field(None, alias="web-browser")
    wait: Bool = True
    poll_interval: float = Field(10.0, alias="poll-interval", ge=0.1, allow_inf_nan=False)
    timeout_minutes: float = Field(60.0, alias="timeout-minutes", gt=0, allow_inf_nan=False)
    fail_on: Annotated[frozenset[str], BeforeValidator(_parse_fail_on)] = Field(
        frozenset(DEFAULT_FAIL_ON.split(",")), alias="fail-on"
    )
    github_token: SecretStr | None = Field(None, alias="github-token")
    comment_mode: Annotated[Literal["always", "failures", "off"], BeforeValidator(_lower)] = Field(
        "always", alias="comment-mode"
    )
    check_name: str = Field("Autosana", alias="check-name", min_length=1, max_length=100)
    check_run: Bool = Field(True, alias="check-run")
    job_summary: Bool = Field(True, alias="job-summary")
    junit_path: str | None = Field(None, alias="junit-path")
    pr_number: int | None = Field(None, alias="pr-number", gt=0)
    commit_sha: str | None = Field(None, alias="commit-sha", pattern=r"^[0-9a-fA-F]{40}$")
    on_fork: Annotated[Literal["fail", "skip"], BeforeValidator(_lower)] = Field("fail", alias="on-fork")
    build_path: str | None = Field(None, alias="build-path")
    url: str | None = None
    name: str | None = None
    environment: str | None = None
    dependencies: Annotated[list[Any] | None, BeforeValidator(_parse_dependencies)] = None
    enable_ios_keychain_access_group_remapping: Bool | None = Field(
        None, alias="enable-ios-keychain-access-group-remapping"
    )
    redact: Annotated[list[str], BeforeValidator(_split_lines)] = Field(default_factory=list)
    artifact_links: Annotated[Literal["auto", "always", "never"], BeforeValidator(_lower)] = Field(
        "auto", alias="artifact-links"
    )
    run_changed_flows: Bool = Field(True, alias="run-changed-flows")
    flow_keys: Annotated[list[str], BeforeValidator(_split_keys)] = Field(default_factory=list, alias="flow-keys")
    suite_keys: Annotated[list[str], BeforeValidator(_split_keys)] = Field(default_factory=list, alias="suite-keys")
    branch_name: str | None = Field(None, alias="branch-name")
    repo_full_name: str | None = Field(None, alias="repo-full-name", pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    physical_device: Bool = Field(False, alias="physical-device")
    device_model: str | None = Field(None, alias="device-model")
    os_version: str | None = Field(None, alias="os-version")
    devices: str | None = None  # checked in _cross_check: ignored (not validated) on web
    report_to_github: Annotated[Literal["auto", "true", "false"], BeforeValidator(_lower)] = Field(
        "auto", alias="report-to-github"
    )
    target_name: str | None = Field(None, alias="target-name", max_length=100)
    results: str | None = None
    expected_targets: Annotated[list[str], BeforeValidator(_split_labels)] = Field(
        default_factory=list, alias="expected-targets"
    )
    allow_other_commits: Bool = Field(False, alias="allow-other-commits")

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        if _sent_in_clear(value):
            raise ValueError(
                f"{value!r} is plain http to a public host, which would send the API key (X-API-Key) in clear"
            )
        return value.rstrip("/")

    @field_validator("url")
    @classmethod
    def _check_build_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @field_validator("junit_path", "results")
    @classmethod
    def _inside_workspace(cls, value: str | None) -> str | None:
        if value is not None and (PurePosixPath(value).is_absolute() or ".." in PurePosixPath(value).parts):
            raise ValueError(f"{value!r} is not a relative path inside the workspace")
        return value

    @property
    def is_merge(self) -> bool:
        """results is set: gather the matrix jobs' results files instead of starting flows."""
        return self.results is not None

    @property
    def is_web(self) -> bool:
        return self.app_id is not None

    @property
    def fail_on_results(self) -> bool:
        return bool(self.fail_on)

    @property
    def has_selectors(self) -> bool:
        return bool(self.suite_ids or self.flow_ids or self.labels or self.flow_keys or self.suite_keys)

    @property
    def uploads(self) -> bool:
        """A build file to upload or a URL to register comes first."""
        return bool(self.build_path or self.url)

    @property
    def upload_only(self) -> bool:
        """Upload or register and stop: nothing selected and no changed flows asked for (a
        chrome-extension upload never runs flows itself)."""
        if self.platform == "chrome-extension":
            return self.uploads
        return self.uploads and not (self.has_selectors or self.run_changed_flows)

    def shows_artifact_links(self, private_repo: bool) -> bool:
        """Signed artifact URLs can be fetched by anyone who reads them: by default only private
        and internal repositories show them."""
        return self.artifact_links == "always" or (self.artifact_links == "auto" and private_repo)

    @property
    def has_device_inputs(self) -> bool:
        return bool(self.physical_device or self.device_model or self.os_version or self.devices)

    @property
    def sends_report_to_github(self) -> bool:
        """Autosana's GitHub App reports too when asked; by default only when we do not (our
        comment is off, or we do not wait for the end), so a PR never shows two reports."""
        if self.report_to_github != "auto":
            return self.report_to_github == "true"
        return self.comment_mode == "off" or not self.wait


@dataclass(frozen=True)
class InputProblem:
    input: str
    problem: str

    def message(self) -> str:
        return f"Input '{self.input}': {self.problem}. {FIXES.get(self.input, '')}".strip()


class InvalidInputs(Exception):
    def __init__(self, problems: list[InputProblem]) -> None:
        super().__init__("; ".join(p.message() for p in problems))
        self.problems = problems


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
        raise InvalidInputs(problems + _cross_check_valid_fields(given, {p.input for p in problems})) from None
    problems = _cross_check(settings)
    if problems:
        raise InvalidInputs(problems)
    return settings


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
    if s.is_merge:
        return _merge_problems(s)
    problems: list[InputProblem] = []
    if not s.api_key.get_secret_value():
        problems.append(InputProblem("api-key", "is required but empty"))
    for name, value in (("expected-targets", s.expected_targets), ("allow-other-commits", s.allow_other_commits)):
        if value:
            problems.append(InputProblem(name, "only applies with results (merging the results of matrix jobs)"))
    if s.bundle_id and s.app_id:
        problems.append(InputProblem("bundle-id", "bundle-id and app-id are both set"))
    elif not s.bundle_id and not s.app_id:
        problems.append(InputProblem("app-id", "neither app-id (web) nor bundle-id (mobile) is set"))
    elif s.bundle_id and s.platform in (None, "web"):
        got = "empty" if s.platform is None else f"{s.platform!r}"
        problems.append(
            InputProblem("platform", f"bundle-id needs platform android, ios or chrome-extension, but it is {got}")
        )
    elif s.app_id and s.platform not in (None, "web"):
        problems.append(InputProblem("platform", f"app-id is a web app, but platform is {s.platform!r}"))
    problems += _check_build(s)
    keys = s.flow_keys or s.suite_keys
    if keys and (s.suite_ids or s.flow_ids or s.labels):
        problems.append(
            InputProblem("flow-keys", "flow-keys and suite-keys cannot be combined with flow-ids, suite-ids, or labels")
        )
    if not (s.has_selectors or s.run_changed_flows or s.uploads):
        problems.append(
            InputProblem(
                "suite-ids",
                "none of suite-ids, flow-ids, labels, suite-keys or flow-keys is set, run-changed-flows is false and "
                "there is no build-path or url to upload, so there is nothing to run",
            )
        )
    if not s.is_web:
        problems += _device_problems(s)
    unknown = [str(f) for f in s.suite_overrides if f not in s.flow_ids]
    if unknown:
        problems.append(
            InputProblem("suite-overrides", f"flow {unknown[0]} is not in flow-ids, so its override does nothing")
        )
    return problems


_WEB_APP_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _check_build(s: Settings) -> list[InputProblem]:
    """The build inputs: what to upload or register, and what may go with it."""
    problems: list[InputProblem] = []
    if s.platform == "chrome-extension":
        if not s.build_path:
            problems.append(InputProblem("build-path", "platform chrome-extension needs the extension's .zip"))
        if s.has_selectors:
            problems.append(
                InputProblem(
                    "platform",
                    "a chrome-extension upload cannot run flows; upload it here without suite-ids, flow-ids or "
                    "labels, and run the flows from a separate platform: web step (its app's extensions or "
                    "dependencies)",
                )
            )
    if s.build_path and s.is_web:
        problems.append(InputProblem("build-path", "web apps are tested at a URL: set url, not build-path"))
    if s.url and not s.is_web:
        problems.append(InputProblem("url", "url is for web apps (app-id); mobile apps upload build-path"))
    if s.url and s.app_id and not _WEB_APP_ID.match(s.app_id):
        problems.append(
            InputProblem("app-id", f"{s.app_id!r} must be lowercase letters, digits and single hyphens with url")
        )
    if s.dependencies is not None and not s.is_web:
        problems.append(InputProblem("dependencies", "dependencies are for web runs only (app-id)"))
    if s.app_build_id and s.uploads:
        problems.append(
            InputProblem("app-build-id", "the build is uploaded in this step, so app-build-id cannot also pin one")
        )
    return problems


def _device_problems(s: Settings) -> list[InputProblem]:
    if not s.devices:
        return []
    try:
        parse_devices(s.devices)
    except ValueError as exc:
        return [InputProblem("devices", str(exc))]
    if s.physical_device or s.device_model or s.os_version:
        return [InputProblem("devices", "devices cannot be combined with physical-device, device-model, or os-version")]
    return []


# Inputs that choose or shape what runs: a merge starts nothing, so setting one (to anything but
# its default) is a mistake. api-key is not among them: with it the merge verifies each target.
MERGE_IGNORES = (
    "bundle-id",
    "platform",
    "app-id",
    "app-build-id",
    "suite-ids",
    "flow-ids",
    "labels",
    "flow-keys",
    "suite-keys",
    "build-path",
    "url",
    "name",
    "environment",
    "dependencies",
    "target-name",
    "variables",
    "web-browser",
    "wait",
    "resolve-suite-context",
    "suite-overrides",
    "run-changed-flows",
    "devices",
    "device-model",
    "os-version",
    "physical-device",
    "enable-ios-keychain-access-group-remapping",
)


def _differs_from_default(s: Settings, name: str) -> bool:
    field = name.replace("-", "_")
    default = Settings.model_fields[field].get_default(call_default_factory=True)
    return bool(getattr(s, field) != default)


def _merge_problems(s: Settings) -> list[InputProblem]:
    """With results set, the action starts nothing: inputs that choose what to run are a mistake."""
    given = [name for name in MERGE_IGNORES if _differs_from_default(s, name)]
    problems = [
        InputProblem(name, "is set together with results, but merging results starts no flows; remove it")
        for name in given
    ]
    counts = [t for t in s.expected_targets if t.isdigit()]
    if counts and (len(s.expected_targets) > 1 or int(counts[0]) == 0):
        problems.append(InputProblem("expected-targets", "mixes a number with names, or is 0"))
    if len(set(s.expected_targets)) != len(s.expected_targets):
        problems.append(InputProblem("expected-targets", "names a target twice"))
    return problems
