"""Secrets out of everything Autosana tells us. A flow that types ``${env:LOGIN_PASSWORD}`` gets
the password echoed back in its step value, its summary and its issues; from there it would reach
the PR comment, the check run, the job summary and the files, which no log masker protects.

The API client passes every model and error text it reads through one ``Redactor`` before anyone
else sees it, so each renderer, now and later, gets redacted raw text and escapes it as it likes:
redacting before escaping is what makes it hold for HTML, Markdown, XML and JSON alike, and before
truncating that no cut can leave half a secret.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import quote

from pydantic import BaseModel

from .report import markdown as md

if TYPE_CHECKING:
    from .settings import Settings
    from .workflow import Workflow

MASK = "***"
# The runner masks line by line; very short fragments would blank out ordinary log text.
MIN_MASKED_LENGTH = 3
# Shorter values would blank out ordinary words ("pin 42" everywhere); they are masked in the log only.
MIN_REDACTED_LENGTH = 4
# Fields that Autosana generates and that the action needs as they are (to address runs, judge
# statuses and match runs between reports); none can carry a value we sent.
KEPT_FIELDS = frozenset(
    {"id", "run_id", "batch_id", "flow_group_run_ids", "status", "type", "severity", "platform", "source", "commit_sha"}
)
# Steps whose value is what was typed: a typed secret shows as MASK even when it is too short to
# be redacted everywhere else.
TYPING_ACTIONS = frozenset({"send_keys", "type", "type_text", "input_text", "input", "fill", "enter_text"})
# Characters an encoder leaves as they are (RFC 3986 unreserved); any other may arrive as %XX.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]")
# Characters that every form below leaves as they are (Markdown escapes _ and ~).
_KEPT_RUN = re.compile(r"[A-Za-z0-9.-]+")
ModelT = TypeVar("ModelT", bound=BaseModel)
T = TypeVar("T")
# A variable name looks secret when one of its words is one of these (words split on _ - . and
# camelCase, any case): STRIPE_KEY, AWS_ACCESS_KEY_ID and dbPass do; AUTHOR, TOKENIZER do not.
SECRET_WORDS = frozenset(
    "password passwords passwd pass pwd passphrase passcode secret secrets token tokens key keys apikey privatekey "  # noqa: SIM905
    "secretkey accesskey credential credentials creds auth private pin otp totp signing signature cert "
    "certificate cookie jwt bearer salt".split()
)
_CAMEL_HUMP = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NAME_SEPARATOR = re.compile(r"[_\-.\s]+")


def name_words(name: str) -> list[str]:
    return [word.lower() for word in _NAME_SEPARATOR.split(_CAMEL_HUMP.sub("_", name)) if word]


def looks_secret(name: str) -> bool:
    return any(word in SECRET_WORDS for word in name_words(name))


def _encoded_char(char: str) -> str:
    """A pattern for one character of a secret, literal or percent-encoded (either hex case)."""
    if _UNRESERVED.fullmatch(char):
        return re.escape(char)
    forms = [re.escape(char)]
    octets = quote(char, safe="")[1:].split("%")
    forms.append("".join(f"%[{o[0].upper()}{o[0].lower()}][{o[1].upper()}{o[1].lower()}]" for o in octets))
    if char == " ":
        forms.append(r"\+")
    return f"(?:{'|'.join(forms)})"


def _escaped_forms(value: str) -> set[str]:
    """How an upstream service may have escaped the value before it reached us."""
    html = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    json_string = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    quoted = html.replace('"', "&quot;")
    # As md.text escapes it (a rendered comment, check run or job summary), for the last pass
    # over what we write.
    markdown = md.escape_inline(value)
    return {
        html,
        quoted,
        *(quoted.replace("'", entity) for entity in ("&#39;", "&#x27;", "&apos;")),
        json_string,
        markdown,
    }


def _anchor(value: str) -> str | None:
    """The value's longest run of unreserved characters: every form of the value (raw, encoded,
    escaped) contains it as it is, so where it is absent the regex need not run."""
    return max(_KEPT_RUN.findall(value), key=len, default=None)


def _pattern(value: str) -> re.Pattern[str]:
    # Entity and JSON forms first: they are longer, and the raw form must not match a prefix of one.
    forms = [re.escape(form) for form in sorted(_escaped_forms(value) - {value}, key=len, reverse=True)]
    forms.append("".join(_encoded_char(c) for c in value))
    return re.compile("|".join(forms))


class Redactor:
    """Replaces each secret with ``***`` in text and in API models (a redacted copy)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = {line.strip() for secret in secrets for line in secret.splitlines()}
        self.typed = frozenset(v for v in values if v)
        self.redacted = frozenset(v for v in self.typed if len(v) >= MIN_REDACTED_LENGTH)
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = [(_anchor(value), _pattern(value)) for value in sorted(self.redacted, key=len, reverse=True)]
        anchors = [_anchor(value) for value in self.typed]
        self._body_anchors = None if None in anchors else [a.encode() for a in anchors if a is not None]

    def __bool__(self) -> bool:
        return bool(self.typed)

    def text(self, value: str) -> str:
        for anchor, pattern in self._secrets:
            if anchor is None or anchor in value:
                value = pattern.sub(MASK, value)
        return value

    def may_occur_in(self, body: bytes) -> bool:
        """False when no secret can be anywhere in this raw answer, so its model needs no walk."""
        return bool(self) and (self._body_anchors is None or any(a in body for a in self._body_anchors))

    def model(self, model: ModelT) -> ModelT:
        """A copy of an API model with every free-text field redacted (names, summaries, step
        descriptions and values, issues, URLs); the model itself when nothing changed."""
        if not self:
            return model
        changes: dict[str, Any] = {}
        for name in type(model).model_fields:
            if name in KEPT_FIELDS:
                continue
            value = getattr(model, name)
            redacted = self._value(value)
            if redacted is not value:
                changes[name] = redacted
        kind, typed = getattr(model, "type", None), getattr(model, "value", None)
        if kind in TYPING_ACTIONS and isinstance(typed, str) and typed.strip() in self.typed:
            changes["value"] = MASK
        return model.model_copy(update=changes) if changes else model

    def deep(self, value: T) -> T:
        """A redacted copy of any value we are about to write: text, API models, and the
        dataclasses, lists and dicts that hold them (a report). Dict keys, enums and numbers are
        kept as they are."""
        if not self:
            return value
        return cast(T, self._deep(value))

    def _deep(self, value: Any) -> Any:
        if isinstance(value, Enum) or not isinstance(value, str | BaseModel | list | tuple | dict | frozenset | set):
            if dataclasses.is_dataclass(value) and not isinstance(value, type):
                return self._dataclass(value)
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, dict):
            return {key: self._deep(item) for key, item in value.items()}
        return type(value)(self._deep(item) for item in value)

    def _dataclass(self, value: Any) -> Any:
        changes: dict[str, Any] = {}
        for item in dataclasses.fields(value):
            if not item.init:
                continue
            if item.name.startswith("_") and item.default_factory is not dataclasses.MISSING:
                changes[item.name] = item.default_factory()  # a cache of what the unredacted value rendered
            else:
                changes[item.name] = self._deep(getattr(value, item.name))
        return dataclasses.replace(value, **changes)

    def _value(self, value: Any) -> Any:
        if isinstance(value, str):
            redacted = self.text(value)
            return value if redacted == value else redacted
        if isinstance(value, BaseModel):
            return self.model(value)
        if isinstance(value, list):
            items = [self._value(v) for v in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else items
        return value


def protect_secrets(wf: Workflow, settings: Settings, variables: Mapping[str, str]) -> Redactor:
    """Mask in the log, and redact from everything Autosana sends back: secret-looking
    variables, the redact input, the API key and the GitHub token."""
    named = {f"variable {key}": value for key, value in variables.items() if looks_secret(key)}
    named.update({f"line {i} of redact": value for i, value in enumerate(settings.redact, start=1)})
    for what, value in named.items():
        wf.mask(value)
        length = len(value.strip())
        if 0 < length < MIN_REDACTED_LENGTH:
            logged = "masked in the log" if length >= MIN_MASKED_LENGTH else "too short even to mask in the log"
            wf.warning(
                f"The value of {what} is shorter than {MIN_REDACTED_LENGTH} characters: it is {logged}, and shown "
                "as *** where a step types it, but not redacted from the reports, where it would blank out "
                "ordinary text."
            )
    tokens = [settings.api_key] + ([settings.github_token] if settings.github_token else [])
    redactor = Redactor([*named.values(), *(t.get_secret_value() for t in tokens)])
    wf.protect(redactor)
    return redactor
