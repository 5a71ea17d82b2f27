"""Stripe's form encoding: bracket notation into nested dicts and lists, and typed reads.

`metadata[k]=v` is a dict, `items[0][price]=p` a list of dicts, `expand[]=a&expand[]=b` a list.
"""

import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import InvalidParam, missing

MAX_BODY = 256 * 1024
MAX_DEPTH = 6
MAX_STRING = 5000
_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


def parse_form(raw: str) -> dict[str, Any]:
    """Parse a url-encoded body or query string; InvalidParam on a malformed or clashing key."""
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        match = _KEY.match(key)
        if match is None:
            raise InvalidParam(f"Invalid parameter name: {key}", param=key)
        parts = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        if len(parts) > MAX_DEPTH:
            raise InvalidParam(f"Parameter nested too deeply: {key}", param=key)
        _put(root, parts, value, key)
    return _lists(root, "")


def _put(node: dict, parts: list[str], value: str, key: str) -> None:
    for i, part in enumerate(parts[:-1]):
        following = parts[i + 1]
        if following == "":
            node = node.setdefault(part, [])
            if not isinstance(node, list) or i + 2 != len(parts):
                raise InvalidParam(f"Invalid array: {key}", param=key)
            node.append(value)
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InvalidParam(f"Invalid hash: {key}", param=key)
        node = child
    last = parts[-1]
    if last == "" or isinstance(node.get(last), dict | list):
        raise InvalidParam(f"Invalid parameter: {key}", param=key)
    node[last] = value


def _lists(node: Any, path: str) -> Any:
    """Turn dicts keyed 0..n-1 into lists (how the stripe library sends arrays of objects)."""
    if not isinstance(node, dict):
        return node
    converted = {k: _lists(v, f"{path}[{k}]" if path else k) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        indices = sorted(int(k) for k in converted)
        if indices != list(range(len(indices))):
            raise InvalidParam(f"Invalid array indices for {path}", param=path)
        return [converted[str(i)] for i in indices]
    return converted


class Params:
    """Typed access to one request's parameters, with Stripe's messages for bad values."""

    def __init__(self, data: dict[str, Any], *, prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}[{key}]" if self.prefix else key

    def allow(self, *keys: str) -> None:
        for key in self.data:
            if key not in keys:
                raise InvalidParam(
                    f"Received unknown parameter: {self.name(key)}",
                    param=self.name(key),
                    code="parameter_unknown",
                )

    def string(self, key: str, *, required: bool = False, max_length: int = MAX_STRING) -> Any:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise missing(self.name(key))
            return None
        if not isinstance(value, str):
            raise InvalidParam(f"Invalid string: {self.name(key)}", param=self.name(key))
        if len(value) > max_length:
            raise InvalidParam(
                f"Invalid string: {self.name(key)} must be at most {max_length} characters",
                param=self.name(key),
            )
        return value

    def choice(self, key: str, choices: tuple[str, ...], *, required: bool = False) -> Any:
        value = self.string(key, required=required)
        if value is not None and value not in choices:
            raise InvalidParam(
                f"Invalid {self.name(key)}: must be one of {', '.join(choices)}",
                param=self.name(key),
            )
        return value

    def integer(self, key: str, *, required: bool = False, minimum: int = 0) -> Any:
        value = self.string(key, required=required, max_length=20)
        if value is None:
            return None
        if not re.fullmatch(r"-?\d+", value):
            raise InvalidParam(
                f"Invalid integer: {value}", param=self.name(key), code="parameter_invalid_integer"
            )
        number = int(value)
        if number < minimum or number > 99_999_999_999:
            raise InvalidParam(
                f"Invalid integer: {self.name(key)} must be between {minimum} and 99999999999",
                param=self.name(key),
                code="parameter_invalid_integer",
            )
        return number

    def currency(self, key: str, *, required: bool = True) -> Any:
        value = self.string(key, required=required, max_length=3)
        if value is not None and not re.fullmatch(r"[a-zA-Z]{3}", value):
            raise InvalidParam(f"Invalid currency: {value}", param=self.name(key))
        return value.lower() if value else None

    def nested(self, key: str, *, required: bool = False) -> "Params | None":
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise missing(self.name(key))
            return None
        if not isinstance(value, dict):
            raise InvalidParam(f"Invalid object: {self.name(key)}", param=self.name(key))
        return Params(value, prefix=self.name(key))

    def items(self, key: str, *, required: bool = False, most: int = 100) -> list["Params"]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise missing(self.name(key))
            return []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise InvalidParam(f"Invalid array: {self.name(key)}", param=self.name(key))
        if len(value) > most:
            raise InvalidParam(
                f"{self.name(key)} may hold at most {most} items", param=self.name(key)
            )
        return [Params(v, prefix=f"{self.name(key)}[{i}]") for i, v in enumerate(value)]

    def metadata(self) -> dict[str, str]:
        """Stripe's limits: 50 keys, keys up to 40 characters, values up to 500."""
        value = self.data.get("metadata")
        if value is None or value == "":
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise InvalidParam("Invalid metadata: must be a hash of strings", param="metadata")
        if len(value) > 50:
            raise InvalidParam("Invalid metadata: at most 50 keys", param="metadata")
        for k, v in value.items():
            if len(k) > 40 or len(v) > 500:
                raise InvalidParam(
                    f"Invalid metadata[{k[:40]}]: keys up to 40 characters, values up to 500",
                    param=f"metadata[{k[:40]}]",
                )
        return {k: v for k, v in value.items() if v != ""}

    def expand(self) -> list[str]:
        value = self.data.get("expand", [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InvalidParam("Invalid array: expand", param="expand")
        return value
