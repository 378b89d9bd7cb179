"""What to upload or register before the trigger: build-path or url, and what goes with them."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from ..inputs import Bool, InputProblem, check_uuid, json_of

if TYPE_CHECKING:
    from ..settings import Settings

FIXES = {
    "build-path": (
        "Point it at the build file relative to the workspace (a glob must match exactly one): .apk for android, "
        ".ipa, zipped .app or .app directory for ios, .zip for chrome-extension."
    ),
    "url": "Use the http(s) URL to test, e.g. your preview deployment's URL, with app-id.",
    "name": "Use the app's display name, or leave it empty.",
    "environment": "Use the environment's name, e.g. staging, or leave it empty.",
    "dependencies": (
        'Use a JSON array of app UUIDs or {"app_id": "<uuid>", "app_build_id": "<uuid>"} objects, e.g. '
        '["<uuid>"], or [] for none.'
    ),
    "enable-ios-keychain-access-group-remapping": "Use true or false, or leave it empty for the app's saved choice.",
}

_DEPENDENCY_KEYS = frozenset({"app_id", "app_build_id"})
_WEB_APP_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _parse_dependencies(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parsed = json_of(value, list, "a JSON array")
    for i, item in enumerate(parsed):
        if isinstance(item, str):
            check_uuid(item, f"item {i}")
        elif isinstance(item, dict):
            extra = set(item) - _DEPENDENCY_KEYS
            if extra:
                raise ValueError(f"item {i} has keys other than app_id and app_build_id: {', '.join(sorted(extra))}")
            if "app_id" not in item:
                raise ValueError(f"item {i} has no app_id")
            for key in ("app_id", "app_build_id"):
                if key in item:
                    check_uuid(item[key], f"item {i} {key}")
        else:
            raise ValueError(f"item {i} is neither a UUID string nor an object")
    return parsed


class UploadInputs(BaseModel):
    build_path: str | None = Field(None, alias="build-path")
    url: str | None = None
    name: str | None = None
    environment: str | None = None
    dependencies: Annotated[list[Any] | None, BeforeValidator(_parse_dependencies)] = None
    enable_ios_keychain_access_group_remapping: Bool | None = Field(
        None, alias="enable-ios-keychain-access-group-remapping"
    )

    @field_validator("url")
    @classmethod
    def _check_build_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @property
    def uploads(self) -> bool:
        """A build file to upload or a URL to register comes first."""
        return bool(self.build_path or self.url)


def upload_problems(s: Settings) -> list[InputProblem]:
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
