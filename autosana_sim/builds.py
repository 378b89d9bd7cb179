"""The simulator's build endpoints, as Autosana's CI API answers them: start-upload hands out a
signed URL of its store, confirm-upload and upload-web-build register the build."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from .storage import StorageSimulator
from .supabase import SupabaseStorage
from .validation import require_fields


class BuildEndpoints:
    """Mixed into the simulator, which owns the state these read and write."""

    lock: threading.Lock
    storage: StorageSimulator
    supabase: SupabaseStorage | None
    upload_url_ttl: float
    build_id_key: str | None
    builds: set[str] | None
    registered: list[dict[str, Any]]
    triggered_flows: list[dict[str, Any]] | None
    confirm_warnings: list[str]
    _issued: set[str]

    def start_upload(self, body: Any) -> tuple[int, Any]:
        problem = require_fields(body, ("bundle_id", "platform", "filename"))
        if problem:
            return 422, {"detail": problem}
        platform = str(body["platform"])
        if not (platform.startswith(("android", "ios")) or platform == "chrome-extension"):
            return 400, {"detail": f"Unsupported platform: {platform}"}
        key = f"uploads/{uuid.uuid4()}/{body['filename']}"
        with self.lock:
            self._issued.add(key)
        store = self.supabase or self.storage
        answer: dict[str, Any] = {"upload_url": store.presign(key, self.upload_url_ttl), "file_path": key}
        if platform == "android-arm64-gplay":
            answer["warnings"] = ["Platform android-arm64-gplay is deprecated; use android."]
        return 200, answer

    def confirm_upload(self, body: Any) -> tuple[int, Any]:
        problem = require_fields(body, ("bundle_id", "platform", "uploaded_file_path"))
        if problem:
            return 422, {"detail": problem}
        key = body["uploaded_file_path"]
        if key not in self._issued or not (self.supabase or self.storage).has(key):
            return 400, {"detail": f"Uploaded file not found: {key}"}
        status, answer = self._register(body, body["bundle_id"])
        if self.triggered_flows is not None:
            answer["triggered_flows"] = self.triggered_flows
        if self.confirm_warnings:
            answer["warnings"] = self.confirm_warnings
        return status, answer

    def upload_web_build(self, body: Any) -> tuple[int, Any]:
        problem = require_fields(body, ("app_id", "url"))
        if problem:
            return 422, {"detail": problem}
        dependencies = body.get("dependencies")
        if dependencies is not None and not isinstance(dependencies, list):
            return 422, {"detail": [{"loc": ["body", "dependencies"], "msg": "Input should be a valid list"}]}
        return self._register(body, body["app_id"])

    def _register(self, body: dict[str, Any], app: str) -> tuple[int, Any]:
        build_id = str(uuid.uuid4())
        with self.lock:
            self.registered.append({**body, "build_id": build_id})
            if self.builds is not None:
                self.builds.add(build_id)
        answer: dict[str, Any] = {"status": "success", "app_id": app, "message": "Build registered"}
        if self.build_id_key:
            answer[self.build_id_key] = build_id
        return 200, answer
