"""The thin layer between the action and the GitHub runner: workflow commands on stdout, step
outputs in ``GITHUB_OUTPUT`` and the job summary in ``GITHUB_STEP_SUMMARY``.

Everything written to stdout passes through here, so this is the one place that decides whether
a piece of text may be read by the runner as a command, and the one place that redacts it: every
log line, annotation, output value and job summary passes through ``self.redactor`` on its way
out, whoever composed it.
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

from .redaction import MIN_MASKED_LENGTH, Redactor

# The runner reads a line as a command when it starts with "::" (v2) or "##[" (legacy), after
# leading whitespace. Lines of untrusted text get a visible prefix so neither can happen.
_COMMAND_START = re.compile(r"^\s*(::|##\[)")


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


# Where the job summary goes outside GitHub Actions when GITHUB_STEP_SUMMARY is not set.
LOCAL_SUMMARY_FILE = "autosana-summary.md"
# SGR codes for the local log, used only on a terminal.
_COLOURS = {"error": "1;31", "warning": "1;33", "notice": "1;36", "group": "1"}
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
    """Workflow commands and file commands for one step.

    Outside GitHub Actions (``GITHUB_ACTIONS`` is not ``true``: a terminal, another CI system) no
    runner reads commands or masks secrets, so none are printed: errors and warnings read
    ``error: ...``, secrets are masked here, colour is used only on a terminal (never with
    ``NO_COLOR``), and the job summary goes to a file named in the log."""

    def __init__(self, env: Mapping[str, str], out: TextIO | None = None) -> None:
        self._out = out or sys.stdout
        self._output_path = _path_or_none(env.get("GITHUB_OUTPUT"))
        self._summary_path = _path_or_none(env.get("GITHUB_STEP_SUMMARY"))
        self._summary_start: int | None = None
        self.on_actions = env.get("GITHUB_ACTIONS") == "true"
        self._masked: list[str] = []
        # Replaced by protect() once the secrets are known; until then nothing is known to redact.
        self.redactor = Redactor()
        self._summary_named = self.on_actions
        if not self.on_actions and self._summary_path is None:
            self._summary_path = Path(env.get("GITHUB_WORKSPACE") or ".") / LOCAL_SUMMARY_FILE
            self._summary_start = 0  # our own file: each run starts it afresh
        self._colour = (
            not self.on_actions and not env.get("NO_COLOR") and env.get("TERM") != "dumb" and _is_terminal(self._out)
        )

    def protect(self, redactor: Redactor) -> None:
        """Redact these secrets from everything written from now on."""
        self.redactor = redactor

    # -- log ---------------------------------------------------------------------------------
    def _write(self, text: str, *, redact: bool = True) -> None:
        if redact:
            text = self.redactor.text(text)
        for secret in self._masked:
            text = text.replace(secret, "***")
        self._out.write(text + "\n")
        self._out.flush()

    def command(self, name: str, message: str = "", **properties: str | None) -> None:
        # Redacted before escaping too: the escaped form of a secret is not what the redactor knows.
        clean = self.redactor.text
        props = ",".join(f"{k}={escape_property(clean(v))}" for k, v in properties.items() if v)
        self._write(f"::{name}{' ' + props if props else ''}::{escape_data(clean(message))}")

    def _local(self, level: str, message: str, title: str | None) -> None:
        """An annotation as plain lines: the level and title first, the message indented below."""
        lines = message.split("\n")
        if title:
            lines.insert(0, title)
        head = self._paint(f"{level}:", _COLOURS[level])
        self._write(f"{head} {neutralise_line(lines[0])}")
        for line in lines[1:]:
            self._write(f"  {neutralise_line(line)}")

    def _paint(self, text: str, sgr: str) -> str:
        return f"\x1b[{sgr}m{text}\x1b[0m" if self._colour else text

    def info(self, message: str) -> None:
        """Print our own text; any line of it that looks like a command is neutralised."""
        for line in message.split("\n"):
            self._write(neutralise_line(line))

    def notice(self, message: str, title: str | None = None) -> None:
        self._annotate("notice", message, title)

    def warning(self, message: str, title: str | None = None) -> None:
        self._annotate("warning", message, title)

    def error(self, message: str, title: str | None = None) -> None:
        self._annotate("error", message, title)

    def _annotate(self, level: str, message: str, title: str | None) -> None:
        if self.on_actions:
            self.command(level, message, title=title)
        else:
            self._local(level, message, title)

    def mask(self, secret: str) -> None:
        # The runner masks line by line; very short fragments would blank out ordinary log text.
        for line in secret.splitlines():
            if len(line.strip()) >= MIN_MASKED_LENGTH:
                if self.on_actions:  # the one line that must carry the secret: the runner reads it
                    self._write(f"::add-mask::{escape_data(line.strip())}", redact=False)
                elif line.strip() not in self._masked:
                    # No runner to do it (and printing ::add-mask:: would print the secret).
                    self._masked.append(line.strip())
                    self._masked.sort(key=len, reverse=True)

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        if not self.on_actions:
            self._write(self._paint(title, _COLOURS["group"]))
            yield
            return
        self.command("group", title)
        try:
            yield
        finally:
            self.command("endgroup")

    @contextmanager
    def untrusted(self) -> Iterator[None]:
        """Stop command processing around text we did not write (run names, summaries)."""
        if not self.on_actions:
            yield
            return
        token = secrets.token_hex(16)
        self.command("stop-commands", token)
        try:
            yield
        finally:
            self._write(f"::{token}::")

    # -- files -------------------------------------------------------------------------------
    def set_outputs(self, outputs: Mapping[str, str]) -> None:
        outputs = {name: self.redactor.text(value) for name, value in outputs.items()}
        if self._output_path is None:
            if not self.on_actions:
                for name, value in outputs.items():
                    self.info(f"output {name}={plain(value, 300)}")
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
        markdown = self.redactor.text(markdown)
        if not self._summary_named:
            self._summary_named = True
            self.info(f"Job summary: {self._summary_path}")
        if self._summary_start is None:
            self._summary_start = self._summary_path.stat().st_size if self._summary_path.exists() else 0
        with self._summary_path.open("a+b") as fh:
            fh.truncate(self._summary_start)
            fh.seek(self._summary_start)
            fh.write(markdown.encode("utf-8"))


def _path_or_none(value: str | None) -> Path | None:
    return Path(value) if value else None


def _is_terminal(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):
        return False
