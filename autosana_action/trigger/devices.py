"""Device selection for mobile runs: physical-device, device-model, os-version, or devices."""

from __future__ import annotations

from typing import Any

from ..inputs import json_of

DEVICE_FIELDS = frozenset({"physical", "model", "os_version"})


def parse_devices(text: str) -> list[dict[str, Any]]:
    """The devices input: exactly two {physical, model?, os_version?} objects, in order."""
    parsed = json_of(text, object, "JSON")
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
