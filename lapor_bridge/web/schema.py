"""Declarative request bodies: one declaration validates input (and can be documented)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Field:
    """One JSON body field: its type, whether required, and a description."""

    name: str
    kind: type | tuple[type, ...]
    required: bool = False
    description: str = ""
    nested: tuple[Field, ...] = ()


TYPE_NAMES = {str: "teks", bool: "true/false", float: "angka", dict: "objek", int: "bilangan bulat"}


def parse_body(body: Any, fields: tuple[Field, ...], prefix: str = "") -> tuple[dict, dict]:
    """Check ``body`` against ``fields``; return (values, errors by dotted field name)."""
    if not isinstance(body, dict):
        return {}, {prefix.rstrip(".") or "body": "Harus berupa objek JSON."}
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    declared = {field.name: field for field in fields}
    for name in body:
        if name not in declared:
            errors[f"{prefix}{name}"] = "Kolom tidak dikenal."
    for field in fields:
        key = f"{prefix}{field.name}"
        value = body.get(field.name)
        if value is None:
            if field.required:
                errors[key] = "Wajib diisi."
            continue
        kinds = field.kind if isinstance(field.kind, tuple) else (field.kind,)
        if not _is_kind(value, kinds):
            names = " atau ".join(TYPE_NAMES.get(kind, kind.__name__) for kind in kinds)
            errors[key] = f"Harus berupa {names}."
            continue
        if field.nested:
            nested_values, nested_errors = parse_body(value, field.nested, f"{key}.")
            errors.update(nested_errors)
            value = nested_values
        values[field.name] = float(value) if kinds == (float,) else value
    return values, errors


def _is_kind(value: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in kinds
    if float in kinds and isinstance(value, int | float):
        return True
    return isinstance(value, kinds)
