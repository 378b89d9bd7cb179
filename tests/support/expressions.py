"""GitHub Actions expressions (``${{ ... }}`` and ``if:``), evaluated as the runner evaluates them,
for the parts a composite action uses: contexts with property and index access (names may hold
hyphens), string/number/boolean/null literals, ``!``, ``==``, ``!=``, ``&&``, ``||`` (which
return an operand, not a boolean), ``toJSON``, ``format``, ``contains``, ``startsWith`` and the
status functions. Comparison follows GitHub: strings ignore case, and mixed types compare as
numbers (``null`` and ``''`` are 0)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>\|\||&&|==|!=|<=|>=|[!<>().,\[\]*])"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*))"
)
_TEMPLATE = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def tokens(text: str) -> list[tuple[str, str]]:
    found, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ValueError(f"cannot read the expression at {text[pos:]!r}")
        kind = match.lastgroup
        assert kind
        found.append((kind, match.group(kind)))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return found


def to_number(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value) if value.strip() else 0.0
        except ValueError:
            return math.nan
    return math.nan


def loosely_equal(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.casefold() == b.casefold()
    if type(a) is type(b) and not isinstance(a, str):
        return bool(a == b)
    return to_number(a) == to_number(b)


def truthy(value: Any) -> bool:
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0 and not math.isnan(value)
    if isinstance(value, str):
        return value != ""
    return True


def as_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return to_json(value)
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


class _Parser:
    def __init__(self, text: str, contexts: Mapping[str, Any], functions: Mapping[str, Callable[..., Any]]) -> None:
        self.tokens = tokens(text)
        self.pos = 0
        self.contexts = contexts
        self.functions = functions

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise ValueError(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.pos != len(self.tokens):
            raise ValueError(f"unexpected {self.peek()!r}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == "&&":
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        value = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            value = loosely_equal(value, right) == (op == "==")
        return value

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        return self.access(self.primary())

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "string":
            return text[1:-1].replace("''", "'")
        if kind == "number":
            return float(text)
        if text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind != "name":
            raise ValueError(f"unexpected {text!r}")
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == "(":
            return self.call(text)
        if text not in self.contexts:
            raise ValueError(f"unknown context {text!r}")
        return self.contexts[text]

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.take(")")
        function = self.functions.get(name.lower())
        if function is None:
            raise ValueError(f"unknown function {name}")
        return function(*args)

    def access(self, value: Any) -> Any:
        while self.peek() in (".", "["):
            if self.take()[1] == ".":
                key: Any = self.take()[1]
            else:
                key = self.or_()
                self.take("]")
            value = _property(value, key)
        return value


def _property(value: Any, key: Any) -> Any:
    if isinstance(value, Mapping):
        wanted = as_string(key).casefold()
        return next((v for k, v in value.items() if k.casefold() == wanted), None)
    if isinstance(value, list) and isinstance(key, float) and 0 <= key < len(value):
        return value[int(key)]
    return None


def _format(template: str, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: as_string(args[int(m.group(1))]), template)


BASE_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tojson": to_json,
    "fromjson": json.loads,
    "format": _format,
    "contains": lambda haystack, needle: (
        any(loosely_equal(item, needle) for item in haystack)
        if isinstance(haystack, list)
        else as_string(needle).casefold() in as_string(haystack).casefold()
    ),
    "startswith": lambda text, prefix: as_string(text).casefold().startswith(as_string(prefix).casefold()),
}


def evaluate(text: str, contexts: Mapping[str, Any], status: str = "success") -> Any:
    functions = {
        **BASE_FUNCTIONS,
        "success": lambda: status == "success",
        "failure": lambda: status == "failure",
        "always": lambda: True,
        "cancelled": lambda: status == "cancelled",
    }
    return _Parser(text, contexts, functions).parse()


def interpolate(text: str, contexts: Mapping[str, Any]) -> str:
    """A value with ``${{ }}`` templates, as the runner substitutes it."""
    return _TEMPLATE.sub(lambda m: as_string(evaluate(m.group(1), contexts)), text)


def condition(text: str | bool | None, contexts: Mapping[str, Any], status: str = "success") -> bool:
    """A step's ``if:``: absent means success(); a bare expression without a status function is
    ANDed with success(), as the runner does."""
    if text is None:
        return status == "success"
    if isinstance(text, bool):
        return text and status == "success"
    body = text.strip()
    match = re.fullmatch(r"\$\{\{(.*)\}\}", body, re.S)
    if match:
        body = match.group(1)
    value = truthy(evaluate(body, contexts, status))
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", body):
        value = value and status == "success"
    return value
