"""The thin layer between the action and the GitHub runner: workflow commands on stdout, step
outputs in ``GITHUB_OUTPUT`` and the job summary in ``GITHUB_STEP_SUMMARY``.

Everything written to stdout passes through here, so this is the one place that decides whether
a piece of text may be read by the runner as a command.
"""

from __future__ import annotations

import re
import secrets
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

# The runner reads a line as a command when it starts with "::" (v2) or "##[" (legacy), after
# leading whitespace. Lines of untrusted text get a visible prefix so neither can happen.
_COMMAND_START = re.compile(r"^\s*(::|##\[)")


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: str | None, max_chars: int = 500) -> str:
    """Untrusted text as one printable line: no terminal escapes, no line breaks."""
    if not value:
        return ""
    flat = " ".join(_CONTROL.sub(" ", value).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"


def neutralise_line(line: str) -> str:
    """Make one line of untrusted text safe to print: it can never be a workflow command."""
    line = line.replace("\r", " ")
    if _COMMAND_START.match(line):
        return "\u200b" + line
    return line


class Workflow:
    """Workflow commands and file commands for one step. Outside GitHub Actions the file
    commands are skipped and the log still reads well."""

    def __init__(self, env: Mapping[str, str], out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._output_path = _path_or_none(env.get("GITHUB_OUTPUT"))
        self._summary_path = _path_or_none(env.get("GITHUB_STEP_SUMMARY"))
        self._summary_start: int | None = None
        self.on_actions = env.get("GITHUB_ACTIONS") == "true"

    # -- log ---------------------------------------------------------------------------------
    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def command(self, name: str, message: str = "", **properties: str | None) -> None:
        props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v)
        self._write(f"::{name}{' ' + props if props else ''}::{escape_data(message)}")

    def info(self, message: str) -> None:
        """Print our own text; any line of it that looks like a command is neutralised."""
        for line in message.split("\n"):
            self._write(neutralise_line(line))

    def debug(self, message: str) -> None:
        self.command("debug", message)

    def notice(self, message: str, title: str | None = None) -> None:
        self.command("notice", message, title=title)

    def warning(self, message: str, title: str | None = None) -> None:
        self.command("warning", message, title=title)

    def error(self, message: str, title: str | None = None) -> None:
        self.command("error", message, title=title)

    def mask(self, secret: str) -> None:
        # The runner masks line by line; very short fragments would blank out ordinary log text.
        for line in secret.splitlines():
            if len(line.strip()) >= 3:
                self.command("add-mask", line.strip())

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        self.command("group", title)
        try:
            yield
        finally:
            self.command("endgroup")

    @contextmanager
    def untrusted(self) -> Iterator[None]:
        """Stop command processing around text we did not write (run names, summaries)."""
        token = secrets.token_hex(16)
        self.command("stop-commands", token)
        try:
            yield
        finally:
            self._write(f"::{token}::")

    # -- files -------------------------------------------------------------------------------
    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        if self._output_path is None:
            return
        with self._output_path.open("a", encoding="utf-8") as fh:
            for name, value in outputs.items():
                delimiter = f"ghadelimiter_{uuid.uuid4()}"
                fh.write(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")

    def write_summary(self, markdown: str) -> None:
        """Write our part of the job summary, replacing what we wrote before in this step, so an
        early report survives a crash and the final one does not duplicate it."""
        if self._summary_path is None:
            return
        if self._summary_start is None:
            self._summary_start = self._summary_path.stat().st_size if self._summary_path.exists() else 0
        with self._summary_path.open("a+b") as fh:
            fh.truncate(self._summary_start)
            fh.seek(self._summary_start)
            fh.write(markdown.encode("utf-8"))


def _path_or_none(value: str | None) -> Path | None:
    return Path(value) if value else None
