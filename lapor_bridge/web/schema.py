"""Declarative request and response shapes: one declaration validates input and documents it.

A :class:`Field` says what one value is (type, limits, description). Request bodies,
query strings and form posts are checked against fields by :func:`parse_body` and
:func:`parse_params`; :func:`field_schema` and :func:`object_schema` turn the same
fields into JSON Schema (2020-12, as OpenAPI 3.1 uses), and an :class:`Operation`
ties an endpoint's fields and responses together for ``web/openapi.py``. Every
limit a field declares is enforced by the parser, so the document cannot promise
more than the code accepts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TYPE_NAMES = {str: "teks", bool: "true/false", float: "angka", dict: "objek",
              int: "bilangan bulat", list: "daftar"}
JSON_TYPES = {str: "string", bool: "boolean", float: "number", int: "integer",
              dict: "object", list: "array"}
TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


@dataclass(frozen=True)
class Field:
    """One named value: its type, whether required, its limits and a description.

    ``kind`` is ``str``, ``int``, ``float``, ``bool``, ``dict`` (an object of
    ``nested`` fields) or ``list`` (of ``item`` values, or of objects of ``nested``
    fields). ``nullable`` fields may be ``null`` in responses.
    """

    name: str
    kind: type | tuple[type, ...]
    required: bool = False
    description: str = ""
    nested: tuple[Field, ...] = ()
    item: type = str
    nullable: bool = False
    min_length: int | None = None
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] = ()
    format: str | None = None
    example: Any = None

    @property
    def kinds(self) -> tuple[type, ...]:
        """The accepted Python types, as a tuple."""
        return self.kind if isinstance(self.kind, tuple) else (self.kind,)


@dataclass(frozen=True)
class Response:
    """One documented response: a JSON object of ``fields`` (an array of them when
    ``many``), a named component ``ref``, or no body."""

    description: str
    fields: tuple[Field, ...] | None = None
    many: bool = False
    ref: str | None = None
    content_types: tuple[str, ...] = ("application/json",)
    headers: tuple[Field, ...] = ()


@dataclass(frozen=True)
class Operation:
    """One endpoint as the OpenAPI document shows it and as its view validates it."""

    method: str
    path: str
    operation_id: str
    summary: str
    responses: Mapping[int, Response]
    description: str = ""
    tag: str = "api"
    path_params: tuple[Field, ...] = ()
    query: tuple[Field, ...] = ()
    body: tuple[Field, ...] | None = None
    body_types: tuple[str, ...] = ("application/json",)
    files: tuple[Field, ...] = ()
    headers: tuple[Field, ...] = ()
    security: tuple[str, ...] = ()
    anonymous: bool = True  # callers without credentials are served too


def parse_body(body: Any, fields: tuple[Field, ...], prefix: str = "") -> tuple[dict, dict]:
    """Check a decoded JSON ``body`` against ``fields``; return (values, errors by dotted name)."""
    if not isinstance(body, dict):
        return {}, {prefix.rstrip(".") or "body": "Harus berupa objek JSON."}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    declared = {item.name: item for item in fields}
    for name in body:
        if name not in declared:
            errors[f"{prefix}{name}"] = "Kolom tidak dikenal."
    for spec in fields:
        key = f"{prefix}{spec.name}"
        value = body.get(spec.name)
        if value is None:
            if spec.required:
                errors[key] = "Wajib diisi."
            continue
        if not _is_kind(value, spec.kinds):
            errors[key] = f"Harus berupa {_kind_names(spec.kinds)}."
            continue
        if spec.kind is dict and spec.nested:
            value, nested_errors = parse_body(value, spec.nested, f"{key}.")
            errors.update(nested_errors)
        elif problem := check_limits(spec, value):
            errors[key] = problem
            continue
        values[spec.name] = float(value) if spec.kinds == (float,) else value
    return values, errors


def parse_params(
    params: Mapping[str, str], fields: tuple[Field, ...], *, strict: bool = False
) -> tuple[dict, dict]:
    """Convert text parameters (query string, form) by ``fields``; (values, errors).

    Names may be dotted (``contact.name``) for nested fields; those come back as
    nested dicts. Empty values count as absent (an Open311 rule that suits forms
    too). With ``strict``, undeclared names are errors.
    """
    flat = {spec.name: spec for spec in flatten(fields)}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if strict:
        for name in params:
            if name not in flat:
                errors[name] = "Kolom tidak dikenal."
    for name, spec in flat.items():
        text = params.get(name)
        if text is None or text == "":
            if spec.required:
                errors[name] = "Wajib diisi."
            continue
        try:
            value = _from_text(text, spec)
        except ValueError:
            errors[name] = f"Harus berupa {_kind_names(spec.kinds)}."
            continue
        if problem := check_limits(spec, value):
            errors[name] = problem
            continue
        values[name] = value
    return unflatten(values), errors


def check_limits(spec: Field, value: Any) -> str | None:
    """The message for the first declared limit ``value`` breaks, or None."""
    if isinstance(value, str):
        if not is_storable_text(value):
            return "Teks memuat karakter yang tidak sah."
        if spec.min_length is not None and len(value) < spec.min_length:
            return f"Terlalu pendek (minimal {spec.min_length} karakter)."
        if spec.max_length is not None and len(value) > spec.max_length:
            return f"Terlalu panjang (maksimal {spec.max_length} karakter)."
        if spec.enum and value not in spec.enum:
            return f"Harus salah satu dari: {', '.join(spec.enum)}."
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return "Harus berupa angka yang terhingga."
        if spec.minimum is not None and value < spec.minimum:
            return f"Paling kecil {spec.minimum:g}."
        if spec.maximum is not None and value > spec.maximum:
            return f"Paling besar {spec.maximum:g}."
    return None


def is_storable_text(text: str) -> bool:
    """False for text no database can store: NUL characters or lone UTF-16 surrogates."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def flatten(fields: tuple[Field, ...], prefix: str = "") -> list[Field]:
    """Nested object fields as dotted top-level fields (``contact.name``), for forms."""
    flat: list[Field] = []
    for spec in fields:
        if spec.kind is dict and spec.nested:
            flat.extend(flatten(spec.nested, f"{prefix}{spec.name}."))
        else:
            flat.append(_renamed(spec, f"{prefix}{spec.name}"))
    return flat


def unflatten(values: Mapping[str, Any]) -> dict[str, Any]:
    """``{"contact.name": x}`` → ``{"contact": {"name": x}}``."""
    nested: dict[str, Any] = {}
    for name, value in values.items():
        target = nested
        *parents, leaf = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value
    return nested


def field_schema(spec: Field) -> dict[str, Any]:
    """The JSON Schema of one field."""
    if spec.kind is dict and spec.nested:
        schema = object_schema(spec.nested)
    elif spec.kind is list:
        items = object_schema(spec.nested) if spec.nested else {"type": JSON_TYPES[spec.item]}
        schema = {"type": "array", "items": items}
    else:
        names = [JSON_TYPES[kind] for kind in spec.kinds]
        schema = {"type": names[0] if len(names) == 1 else names}
    if spec.nullable:
        current = schema["type"]
        schema["type"] = [*(current if isinstance(current, list) else [current]), "null"]
    for key, value in (
        ("description", spec.description),
        ("minLength", spec.min_length),
        ("maxLength", spec.max_length),
        ("minimum", spec.minimum),
        ("maximum", spec.maximum),
        ("format", spec.format),
    ):
        if value not in (None, ""):
            schema[key] = value
    if spec.enum:
        schema["enum"] = list(spec.enum) + ([None] if spec.nullable else [])
    if spec.example is not None:
        schema["examples"] = [spec.example]
    return schema


def object_schema(fields: tuple[Field, ...], *, closed: bool = True) -> dict[str, Any]:
    """The JSON Schema of an object made of ``fields`` (no other keys when ``closed``)."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {spec.name: field_schema(spec) for spec in fields},
    }
    required = [spec.name for spec in fields if spec.required]
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def _renamed(spec: Field, name: str) -> Field:
    return Field(**{**vars(spec), "name": name}) if name != spec.name else spec


def _from_text(text: str, spec: Field) -> Any:
    kinds = spec.kinds
    if bool in kinds:
        word = text.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
    if int in kinds:
        return int(text.strip())
    if float in kinds:
        return float(text.strip())
    if str in kinds:
        return text
    raise ValueError(text)


def _kind_names(kinds: tuple[type, ...]) -> str:
    return " atau ".join(TYPE_NAMES.get(kind, kind.__name__) for kind in kinds)


def _is_kind(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    if float in kinds and isinstance(value, int | float):
        return True
    return isinstance(value, kinds)
