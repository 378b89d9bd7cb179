"""Whether and how long to wait: wait, poll-interval, timeout-minutes."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ..inputs import Bool

FIXES = {
    "wait": "Use true or false.",
    "poll-interval": "Use a number of seconds of at least 0.1, e.g. 10 (the API asks for 10-15 in production).",
    "timeout-minutes": "Use a positive number of minutes, e.g. 60.",
}


class PollInputs(BaseModel):
    wait: Bool = True
    poll_interval: float = Field(10.0, alias="poll-interval", ge=0.1, allow_inf_nan=False)
    timeout_minutes: float = Field(60.0, alias="timeout-minutes", gt=0, allow_inf_nan=False)
