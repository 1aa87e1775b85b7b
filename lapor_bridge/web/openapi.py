"""The OpenAPI 3.1 document, built from the same ``Operation`` declarations the views use,
served as JSON and as a plain HTML reference page (no CDN, no script)."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, jsonify, render_template

from lapor_bridge.web import api, api_staff, limiter, open311
from lapor_bridge.web.api_auth import API_KEY_HEADER, rate_limit_key, read_limit
from lapor_bridge.web.schema import (
    Field,
    Operation,
    Response,
    field_schema,
    flatten,
    object_schema,
)

bp = Blueprint("openapi", __name__)

VERSION = "1.1.0"  # 1.1: service categories (category, /categories, Open311 codes)
BINARY = {"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
ERROR_FIELDS = (
    Field("error", dict, required=True, nested=(
        Field("status", int, required=True, description="Kode status HTTP"),
        Field("code", str, required=True, description="Kode kesalahan untuk mesin",
              example="invalid_fields"),
        Field("message", str, required=True, description="Penjelasan untuk manusia"),
        Field("fields", dict, description="Pesan per kolom (nama bertitik: contact.phone)"),
    )),
)
TAGS = (
    {"name": "api", "description": "API JSON v1: kirim dan ikuti laporan, daftar dan saran "
                                   "kategori layanan"},
    {"name": "staff", "description": "API JSON v1 untuk petugas: antrean, tampilan petugas, "
                                     "aksi (kunci API atau sesi login; ETag/If-Match)"},
    {"name": "open311", "description": "Open311 GeoReport v2 (bentuk JSON; tiap jalur juga "
                                       "tersedia dengan akhiran .xml); layanan = kategori "
                                       "layanan, service_code = kode kategori"},
    {"name": "ops", "description": "Pemantauan layanan"},
)


def operations() -> tuple[Operation, ...]:
    """Every documented operation, in document order."""
    return (*api.OPERATIONS, *api_staff.OPERATIONS, *open311.OPERATIONS)


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every declared operation."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations():
        paths.setdefault(operation.path, {})[operation.method] = _operation(operation)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lapor-bridge API",
            "version": VERSION,
            "description": "Kirim dan ikuti pengaduan warga dari aplikasi lain. Kesalahan "
                           "selalu berbentuk Error (API v1) atau Open311Errors (Open311).",
        },
        "tags": list(TAGS),
        "paths": paths,
        "components": {
            "schemas": {
                "Error": object_schema(ERROR_FIELDS),
                "Open311Errors": {"type": "array", "items": object_schema(open311.ERROR_FIELDS)},
            },
            "securitySchemes": {
                "apiKey": {"type": "apiKey", "in": "header", "name": API_KEY_HEADER,
                           "description": "Kunci klien dari `lapor-bridge api-key create`"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "Sesi login dari /masuk; aksi yang mengubah juga "
                                           f"wajib mengirim header {api_staff.CSRF_HEADER}"},
            },
        },
    }


@bp.route("/api/v1/openapi.json")
@limiter.limit(read_limit, key_func=rate_limit_key)
def openapi_json():
    """The OpenAPI document."""
    return jsonify(openapi_document())


@bp.route("/api/v1/docs")
@limiter.limit(read_limit, key_func=rate_limit_key)
def reference():
    """The API reference as a readable page, rendered from the document."""
    return render_template("api/reference.html", doc=openapi_document())


def _operation(operation: Operation) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [operation.tag],
        "responses": {str(status): _response(response)
                      for status, response in operation.responses.items()},
    }
    if operation.description:
        spec["description"] = operation.description
    parameters = [_parameter(field, "path") for field in operation.path_params]
    parameters += [_parameter(field, "query") for field in operation.query]
    parameters += [_parameter(field, "header") for field in operation.headers]
    if parameters:
        spec["parameters"] = parameters
    if operation.body is not None:
        spec["requestBody"] = {"required": True, "content": {
            media_type: {"schema": _body_schema(operation, media_type)}
            for media_type in operation.body_types
        }}
    if operation.security:
        spec["security"] = [{name: []} for name in operation.security]
        if operation.anonymous:
            spec["security"].append({})
    return spec


def _body_schema(operation: Operation, media_type: str) -> dict[str, Any]:
    if media_type not in FORM_TYPES:
        return object_schema(operation.body)
    schema = object_schema(tuple(flatten(operation.body)))
    for upload in operation.files if media_type == "multipart/form-data" else ():
        schema["properties"][upload.name] = {
            "type": "array", "items": BINARY, "description": upload.description}
    return schema


def _parameter(field: Field, where: str) -> dict[str, Any]:
    parameter = {"name": field.name, "in": where, "required": field.required or where == "path",
                 "schema": field_schema(field)}
    if field.description:
        parameter["description"] = field.description
    return parameter


def _response(response: Response) -> dict[str, Any]:
    spec: dict[str, Any] = {"description": response.description}
    if response.ref:
        schema: dict[str, Any] = {"$ref": f"#/components/schemas/{response.ref}"}
    elif response.fields is not None:
        schema = object_schema(response.fields)
        if response.many:
            schema = {"type": "array", "items": schema}
    else:
        schema = {}
    if response.content_types:
        spec["content"] = {media_type: {"schema": schema} for media_type in response.content_types}
    if response.headers:
        spec["headers"] = {header.name: {"schema": field_schema(header)}
                           for header in response.headers}
    return spec
