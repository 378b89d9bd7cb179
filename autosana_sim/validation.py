"""Request checks the simulator applies the way the API does: 422 with pydantic-style ``detail``
lists for bad shapes, a plain ``detail`` string for bad combinations."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

SHA_RE = re.compile(r"^[0-9a-f]{40}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
DEVICE_KEYS = frozenset({"physical", "model", "os_version"})
BROWSERS = {"chrome", "chromium", "firefox", "edge", "google chrome", "msedge", "microsoft edge"}
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def require_fields(body: Any, fields: tuple[str, ...]) -> Any:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    missing = [f for f in fields if not isinstance(body.get(f), str) or not body[f]]
    return [{"loc": ["body", f], "msg": "Field required", "type": "missing"} for f in missing] or None


def trigger_problem(body: Any) -> Any:
    """None for a body flows/run accepts; else the ``detail`` of its 422."""
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    return _shape_errors(body) or _combination_problem(body)


def _shape_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    for key in ("suite_ids", "flow_ids", "labels"):
        value = body.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid list of strings", "type": "list_type"})
        elif key != "labels":
            errors.extend(
                {"loc": ["body", key, i], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}
                for i, v in enumerate(value or [])
                if not UUID_RE.match(v)
            )
    for key in ("flow_keys", "suite_keys", "folder_paths"):
        value = body.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid list of strings", "type": "list_type"})
    for key in ("run_changed_flows", "report_to_github"):
        if key in body and not isinstance(body[key], bool):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid boolean", "type": "bool_type"})
    if "location" in body and not (isinstance(body["location"], str) and COUNTRY_RE.match(body["location"])):
        errors.append(
            {"loc": ["body", "location"], "msg": "location must be an ISO country code", "type": "value_error"}
        )
    if "ref" in body and not (isinstance(body["ref"], str) and SHA_RE.match(body["ref"])):
        errors.append({"loc": ["body", "ref"], "msg": "ref must be a full commit SHA", "type": "value_error"})
    pr_number = body.get("pr_number")
    if pr_number is not None and (not isinstance(pr_number, int) or isinstance(pr_number, bool) or pr_number < 1):
        errors.append({"loc": ["body", "pr_number"], "msg": "Input should be a positive integer", "type": "int_type"})
    ci = body.get("ci")
    if ci is not None and (not isinstance(ci, dict) or not isinstance(ci.get("publish_check", False), bool)):
        errors.append({"loc": ["body", "ci"], "msg": "Input should be a valid dictionary", "type": "dict_type"})
    return errors + _device_errors(body)


def _keyed(body: dict[str, Any]) -> bool:
    return bool(body.get("flow_keys") or body.get("suite_keys") or body.get("folder_paths"))


def _has_ids(body: dict[str, Any]) -> bool:
    return bool(body.get("suite_ids") or body.get("flow_ids") or body.get("labels"))


def _has_device(body: dict[str, Any]) -> bool:
    return body.get("device") is not None or body.get("devices") is not None


# The API's answers for bodies of the right shape that ask for something it cannot do, in order.
_COMBINATION_RULES: list[tuple[Callable[[dict[str, Any]], bool], str]] = [
    (lambda b: not b.get("bundle_id") and not b.get("app_id"), "Either bundle_id or app_id is required"),
    (
        lambda b: bool(b.get("bundle_id")) and b.get("platform") not in ("ios", "android"),
        "platform must be 'ios' or 'android' when bundle_id is provided",
    ),
    (
        lambda b: _keyed(b) and _has_ids(b),
        "flow_keys and suite_keys cannot be combined with flow_ids, suite_ids or labels",
    ),
    (
        lambda b: not (_keyed(b) or _has_ids(b) or b.get("run_changed_flows")),
        "At least one of suite_ids or flow_ids is required",
    ),
    (lambda b: b.get("device") is not None and b.get("devices") is not None, "Pass device or devices, not both"),
    (lambda b: bool(b.get("app_id")) and _has_device(b), "Device selection is for mobile apps"),
]


def _combination_problem(body: dict[str, Any]) -> Any:
    for broken, message in _COMBINATION_RULES:
        if broken(body):
            return message
    browser = body.get("web_browser")
    if browser is not None and str(browser).lower() not in BROWSERS:
        return f"Unsupported web_browser: {browser}"
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, str | dict):
        return [{"loc": ["body", "variables"], "msg": "Input should be a string or an object", "type": "union"}]
    return None


def _device_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    def bad(device: Any) -> bool:
        if not isinstance(device, dict) or set(device) - DEVICE_KEYS or not isinstance(device.get("physical"), bool):
            return True
        return any(
            k in device and not (isinstance(device[k], str) and device[k].strip()) for k in ("model", "os_version")
        )

    errors = []
    if "device" in body and bad(body["device"]):
        errors.append({"loc": ["body", "device"], "msg": "Input should be a valid device", "type": "model_type"})
    devices = body.get("devices")
    if "devices" in body and (not isinstance(devices, list) or len(devices) != 2 or any(bad(d) for d in devices)):
        errors.append({"loc": ["body", "devices"], "msg": "Input should be two valid devices", "type": "list_type"})
    return errors
