"""The vocabulary every stage's inputs share: the problem an input can have, and the parsers of
the runner's text forms (booleans, lists, JSON). Each stage's ``inputs`` module declares its own
inputs with these; ``settings`` gathers them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from pydantic import BeforeValidator

_ID_SEPARATOR = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class InputProblem:
    input: str
    problem: str
    fix: str = ""

    def message(self) -> str:
        return f"Input '{self.input}': {self.problem}. {self.fix}".strip()


class InvalidInputs(Exception):
    def __init__(self, problems: list[InputProblem]) -> None:
        super().__init__("; ".join(p.message() for p in problems))
        self.problems = problems


def split_ids(value: Any) -> Any:
    if isinstance(value, str):
        return [part for part in _ID_SEPARATOR.split(value) if part]
    return value


def split_labels(value: Any) -> Any:
    """Commas or newlines separate; spaces inside an entry are kept (labels, keys, names)."""
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,\n]", value) if part.strip()]
    return value


def split_lines(value: Any) -> Any:
    if isinstance(value, str):
        return [line.strip() for line in value.splitlines() if line.strip()]
    return value


def json_of(text: str, kind: type, shape: str) -> Any:
    """``text`` parsed as JSON, which must be a ``kind`` (``shape`` says which in the error)."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not valid JSON ({exc.msg})") from None
    if not isinstance(parsed, kind):
        raise ValueError(f"it is not {shape}")
    return parsed


def check_uuid(value: Any, where: str) -> None:
    try:
        UUID(value if isinstance(value, str) else "")
    except ValueError:
        raise ValueError(f"{where} ({value!r}) is not a UUID") from None


def lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def parse_bool(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "yes", "on", "1"):
            return True
        if lowered in ("false", "no", "off", "0"):
            return False
        raise ValueError(f"{value!r} is not true or false")
    return value


Bool = Annotated[bool, BeforeValidator(parse_bool)]
IdList = Annotated[list[UUID], BeforeValidator(split_ids)]
