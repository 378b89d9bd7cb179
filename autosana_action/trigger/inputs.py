"""What to run and on what: the app (bundle-id/platform or app-id), the selectors, variables,
devices and the git facts sent with flows/run."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, Field

from ..inputs import Bool, IdList, InputProblem, json_of, lower, split_labels
from .devices import parse_devices

if TYPE_CHECKING:
    from ..settings import Settings

BROWSER_ALIASES = {
    "chrome": "chrome",
    "google chrome": "chrome",
    "chromium": "chromium",
    "firefox": "firefox",
    "edge": "edge",
    "msedge": "edge",
    "microsoft edge": "edge",
}

FIXES = {
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
    "folder-paths": (
        "List folders below .autosana/ (e.g. auth or checkout/guest) separated by commas or newlines; every flow "
        "in them runs."
    ),
    "location": "Use a two-letter ISO 3166 country code such as US or DE, or leave it empty.",
}

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# A comma only separates pairs when a KEY= follows it, so values may contain commas.
_PAIR_SEPARATOR = re.compile(r"\s*,\s*(?=[A-Za-z_][A-Za-z0-9_]*\s*=)")


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


def _parse_overrides(value: Any) -> Any:
    return json_of(value, dict, "a JSON object") if isinstance(value, str) else value


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


Keys = Annotated[list[str], BeforeValidator(split_labels)]  # code-managed keys are paths: inner spaces kept
AUTOSANA_DIR = ".autosana"
_COUNTRY = re.compile(r"[A-Za-z]{2}")


def _folder(raw: str) -> str:
    """``./.autosana/auth/`` -> ``auth``: a folder below .autosana/, as Autosana's CLI normalises it."""
    path = raw
    while path.startswith("./"):
        path = path[2:]
    if path.startswith(f"{AUTOSANA_DIR}/"):
        path = path[len(AUTOSANA_DIR) + 1 :]
    path = path.rstrip("/")
    if not path or path == AUTOSANA_DIR or any(part in ("", ".", "..") for part in path.split("/")):
        raise ValueError(f"{raw!r} is not a folder below .autosana/ (no empty, . or .. parts, not absolute)")
    return path


def _parse_folders(value: Any) -> Any:
    return [_folder(part) for part in split_labels(value)] if isinstance(value, str) else value


def _country(value: Any) -> Any:
    if isinstance(value, str):
        if not _COUNTRY.fullmatch(value.strip()):
            raise ValueError(f"{value!r} is not a two-letter country code")
        return value.strip().upper()
    return value


class TriggerInputs(BaseModel):
    bundle_id: str | None = Field(None, alias="bundle-id")
    platform: Annotated[str | None, BeforeValidator(_platform)] = None
    app_id: str | None = Field(None, alias="app-id")
    app_build_id: UUID | None = Field(None, alias="app-build-id")
    suite_ids: IdList = Field(default_factory=list, alias="suite-ids")
    flow_ids: IdList = Field(default_factory=list, alias="flow-ids")
    labels: Annotated[list[str], BeforeValidator(split_labels)] = Field(default_factory=list)
    resolve_suite_context: Bool = Field(True, alias="resolve-suite-context")
    suite_overrides: Annotated[dict[UUID, UUID], BeforeValidator(_parse_overrides)] = Field(
        default_factory=dict, alias="suite-overrides"
    )
    variables: Annotated[dict[str, str], BeforeValidator(_parse_variables)] = Field(default_factory=dict)
    pr_variables: Bool = Field(True, alias="pr-variables")
    web_browser: Annotated[
        Literal["chrome", "chromium", "firefox", "edge"] | None, BeforeValidator(_normalise_browser)
    ] = Field(None, alias="web-browser")
    run_changed_flows: Bool = Field(True, alias="run-changed-flows")
    flow_keys: Keys = Field(default_factory=list, alias="flow-keys")
    suite_keys: Keys = Field(default_factory=list, alias="suite-keys")
    folder_paths: Annotated[list[str], BeforeValidator(_parse_folders)] = Field(
        default_factory=list, alias="folder-paths"
    )
    location: Annotated[str | None, BeforeValidator(_country)] = None
    branch_name: str | None = Field(None, alias="branch-name")
    repo_full_name: str | None = Field(None, alias="repo-full-name", pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    physical_device: Bool = Field(False, alias="physical-device")
    device_model: str | None = Field(None, alias="device-model")
    os_version: str | None = Field(None, alias="os-version")
    devices: str | None = None  # checked with the other device inputs: ignored (not validated) on web
    report_to_github: Annotated[Literal["auto", "true", "false"], BeforeValidator(lower)] = Field(
        "auto", alias="report-to-github"
    )

    @property
    def is_web(self) -> bool:
        return self.app_id is not None

    @property
    def has_selectors(self) -> bool:
        return bool(
            self.suite_ids or self.flow_ids or self.labels or self.flow_keys or self.suite_keys or self.folder_paths
        )

    @property
    def has_device_inputs(self) -> bool:
        return bool(self.physical_device or self.device_model or self.os_version or self.devices)


def app_problems(s: Settings) -> list[InputProblem]:
    """Exactly one app: bundle-id with a mobile platform, or app-id for the web. With a mobile
    build-path, bundle-id and platform may be left to the build (read before any request)."""
    from_build = bool(s.build_path) and (s.platform is None or s.platform.startswith(("android", "ios")))
    if s.bundle_id and s.app_id:
        return [InputProblem("bundle-id", "bundle-id and app-id are both set")]
    if not s.app_id and from_build:
        return []
    if not s.bundle_id and not s.app_id:
        return [InputProblem("app-id", "neither app-id (web) nor bundle-id (mobile) is set")]
    if s.bundle_id and s.platform in (None, "web"):
        got = "empty" if s.platform is None else f"{s.platform!r}"
        return [InputProblem("platform", f"bundle-id needs platform android, ios or chrome-extension, but it is {got}")]
    if s.app_id and s.platform not in (None, "web"):
        return [InputProblem("platform", f"app-id is a web app, but platform is {s.platform!r}")]
    return []


def selector_problems(s: Settings) -> list[InputProblem]:
    """What to run: keys or ids (not both), something to run at all, devices, overrides."""
    problems: list[InputProblem] = []
    keys = s.flow_keys or s.suite_keys
    if keys and (s.suite_ids or s.flow_ids or s.labels):
        problems.append(
            InputProblem("flow-keys", "flow-keys and suite-keys cannot be combined with flow-ids, suite-ids, or labels")
        )
    if s.folder_paths and (s.suite_ids or s.flow_ids or s.labels):
        problems.append(
            InputProblem("folder-paths", "folder-paths cannot be combined with flow-ids, suite-ids, or labels")
        )
    if s.location and s.is_web:
        problems.append(InputProblem("location", "location is for mobile runs (bundle-id); web runs take none"))
    if not (s.has_selectors or s.run_changed_flows or s.uploads):
        problems.append(
            InputProblem(
                "suite-ids",
                "none of suite-ids, flow-ids, labels, suite-keys, flow-keys or folder-paths is set, run-changed-flows "
                "is false and there is no build-path or url to upload, so there is nothing to run",
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


def _device_problems(s: TriggerInputs) -> list[InputProblem]:
    if not s.devices:
        return []
    try:
        parse_devices(s.devices)
    except ValueError as exc:
        return [InputProblem("devices", str(exc))]
    if s.physical_device or s.device_model or s.os_version:
        return [InputProblem("devices", "devices cannot be combined with physical-device, device-model, or os-version")]
    return []
