"""Answers of the build endpoints (``/api/ci/start-upload``, ``confirm-upload``,
``upload-web-build``). They are not in the Runs API document, so reading is tolerant: unknown
fields are kept, warnings may be a string or a list, a build id may be missing or "null"."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


def _warnings(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, list):
        return [item if isinstance(item, str) else str(item) for item in value if item not in (None, "")]
    return [str(value)]


def _optional_id(value: Any) -> Any:
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "null", "none")):
        return None
    return str(value)


Warnings = Annotated[list[str], BeforeValidator(_warnings)]
OptionalId = Annotated[str | None, BeforeValidator(_optional_id)]


class StartUploadResponse(BaseModel):
    model_config = ConfigDict(extra="allow")

    upload_url: str = Field(min_length=1)
    file_path: str = Field(min_length=1)
    warnings: Warnings = Field(default_factory=list)


class BuildRegistered(BaseModel):
    """confirm-upload and upload-web-build: e.g. {status, app_id, build_id?, warnings?}."""

    model_config = ConfigDict(extra="allow")

    status: str | None = None
    message: str | None = None
    app_id: OptionalId = None
    app_build_id: OptionalId = None
    build_id: OptionalId = None
    warnings: Warnings = Field(default_factory=list)
    # confirm-upload: the app's CI/CD automations the upload started (a list; a count is read too).
    triggered_flows: Any = None

    @property
    def automations(self) -> int | None:
        value = self.triggered_flows
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, int):
            return max(value, 0)
        return len(value) if isinstance(value, list | dict) else None

    @property
    def new_build_id(self) -> str | None:
        return self.app_build_id or self.build_id

    @property
    def failed(self) -> bool:
        return (self.status or "").lower() in ("error", "failed", "failure")
