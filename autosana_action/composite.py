"""The composite variant's entry: a composite action gets no ``INPUT_*`` variables, so its step
passes every input in one variable, ``AUTOSANA_INPUTS_JSON: ${{ toJSON(inputs) }}``, and this
turns it back into the same raw inputs the Docker action reads from ``INPUT_*``: every character
kept (hyphenated names, several lines, quotes, CRLF). composite/run.py then makes the same run."""

from __future__ import annotations

import json
from collections.abc import Mapping

from .settings import INPUT_NAMES

INPUTS_VARIABLE = "AUTOSANA_INPUTS_JSON"


class InputsJsonError(ValueError):
    pass


def inputs_from_json(text: str) -> dict[str, str]:
    """``toJSON(inputs)`` as raw inputs: each declared input to its value as given. Inputs are
    strings in the runner's context; anything else is written back as the runner would show it."""
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputsJsonError(f"{INPUTS_VARIABLE} is not JSON ({exc.msg})") from None
    if not isinstance(parsed, dict):
        raise InputsJsonError(f"{INPUTS_VARIABLE} is not a JSON object of inputs")
    return {name: _as_text(parsed[name]) for name in INPUT_NAMES if name in parsed}


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def runner_env(env: Mapping[str, str]) -> dict[str, str]:
    """The step's environment without INPUT_* (a workflow's own env could hold some): the inputs
    come only from the JSON, as the Docker action's come only from the runner."""
    return {k: v for k, v in env.items() if not k.upper().startswith("INPUT_") and k != INPUTS_VARIABLE}


def composite_inputs(env: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The environment the run gets and its raw inputs, from the step's environment."""
    text = env.get(INPUTS_VARIABLE)
    if text is None:
        raise InputsJsonError(f"{INPUTS_VARIABLE} is not set: run this through composite/action.yml")
    return runner_env(env), inputs_from_json(text)
