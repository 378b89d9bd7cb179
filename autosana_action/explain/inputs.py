"""How much of the failing runs to read beyond their details: read-logs, the number of failing
runs whose device and network logs are read for the crash and the failed requests."""

from __future__ import annotations

from pydantic import BaseModel, Field

MAX_RUNS = 10

FIXES = {
    "read-logs": f"Use a whole number of failing runs, e.g. {MAX_RUNS}; 0 reads no logs.",
}


class ExplainInputs(BaseModel):
    read_logs: int = Field(MAX_RUNS, alias="read-logs", ge=0, le=100)
