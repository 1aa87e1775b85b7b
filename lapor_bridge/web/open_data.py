"""Open statistics (``/data/``, no login): the landing page, the data dictionary, the
dataset as CSV and JSON, and its DCAT-US catalogue for Satu Data / CKAN harvesters.

Every view reads the dataset through the app's :class:`SingleFlightCache` (computed at
most once per ``[open_data] cache_seconds`` in this process), answers with
``Cache-Control`` and an ``ETag`` (``If-None-Match`` gets 304) and is rate-limited per
address. The files allow any origin, for dashboards that read them from a browser.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from flask import Blueprint, Response, current_app, g, render_template, request, url_for
from flask_babel import gettext as _

from lapor_bridge.config import OpenDataSettings
from lapor_bridge.services.errors import ValidationFailed
from lapor_bridge.services.open_data.cache import SingleFlightCache
from lapor_bridge.services.open_data.catalog import CatalogUrls, dcat_catalog
from lapor_bridge.services.open_data.dataset import OpenDataset, build_dataset, row_filter
from lapor_bridge.services.open_data.dictionary import FIELDS
from lapor_bridge.services.open_data.files import to_csv, to_document
from lapor_bridge.web import limiter
from lapor_bridge.web.errors import error_body
from lapor_bridge.web.i18n import current_language, translated_errors

bp = Blueprint("open_data", __name__, url_prefix="/data")
CACHE = "open_data_cache"


@bp.record_once
def _keep_one_dataset(state) -> None:
    """Give the app its dataset cache, computed from the app's service context."""
    app = state.app
    context, settings = app.extensions["lapor_context"], _settings_of(app)
    app.extensions[CACHE] = SingleFlightCache(
        lambda: build_dataset(context, settings.min_count), settings.cache_seconds)


def _settings_of(app) -> OpenDataSettings:
    return app.config["LAPOR_SETTINGS"].open_data


def _rate_limit() -> str:
    return _settings_of(current_app).rate_limit


@bp.route("/")
@limiter.limit(_rate_limit)
def index():
    """What the dataset is, its files, regions, suppression rule, licence and dictionary."""
    return _page("open_data/index.html")


@bp.route("/kamus")
@limiter.limit(_rate_limit)
def dictionary():
    """The data dictionary: every field, its type, unit and meaning."""
    return _page("open_data/dictionary.html")


@bp.route("/pengaduan.csv")
@limiter.limit(_rate_limit)
def csv_file():
    """The rows as CSV (UTF-8, header row), optionally ``?tahun=`` and ``?wilayah=``."""
    return _file(lambda dataset, wanted: Response(
        to_csv(dataset.select(wanted)), mimetype="text/csv",
        headers={"Content-Disposition": 'inline; filename="pengaduan.csv"'}))


@bp.route("/pengaduan.json")
@limiter.limit(_rate_limit)
def json_file():
    """The rows as JSON with their metadata, optionally ``?tahun=`` and ``?wilayah=``."""
    return _file(lambda dataset, wanted: _json(to_document(
        dataset, dataset.select(wanted), wanted, _settings_of(current_app),
        url_for("open_data.dictionary", _external=True))))


@bp.route("/dcat.json")
@limiter.limit(_rate_limit)
def dcat():
    """The DCAT-US (``data.json``) catalogue, with absolute addresses from the request."""
    urls = CatalogUrls(*(url_for(f"open_data.{endpoint}", _external=True) for endpoint in
                         ("dcat", "index", "dictionary", "csv_file", "json_file")))
    response = _conditional(_dataset(), request.url, lambda dataset: _json(
        dcat_catalog(dataset, _settings_of(current_app), urls)))
    response.access_control_allow_origin = "*"
    return response


def _page(template: str) -> Response:
    """An HTML page; private to the browser when someone is logged in (the header
    shows them), else cacheable by anyone."""
    user = g.get("user")
    variant = f"{request.url}|{current_language()}|{user.username if user else ''}"
    return _conditional(_dataset(), variant, lambda dataset: Response(render_template(
        template, dataset=dataset, settings=_settings_of(current_app), fields=FIELDS,
        sla=current_app.config["LAPOR_SETTINGS"].sla)), private=user is not None, weak=True)


def _file(render: Callable) -> Response:
    """A data file for the request's filters; a bad filter answers 400 with the reason."""
    dataset = _dataset()
    try:
        wanted = row_filter(dataset, request.args.get("tahun") or None,
                            request.args.get("wilayah") or None)
    except ValidationFailed as exc:
        return error_body(400, "invalid_filter", _("Saringan tidak valid."),
                          translated_errors(exc.errors))
    response = _conditional(dataset, request.url, lambda dataset: render(dataset, wanted))
    response.access_control_allow_origin = "*"
    return response


def _conditional(dataset: OpenDataset, variant: str, render: Callable[[OpenDataset], Response],
                 *, private: bool = False, weak: bool = False) -> Response:
    """``render(dataset)``, or 304 when the client holds this version (the ETag digests
    the dataset's fingerprint and ``variant``)."""
    etag = hashlib.sha256(f"{dataset.fingerprint}|{variant}".encode()).hexdigest()[:32]
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = render(dataset)
    response.set_etag(etag, weak=weak)
    response.cache_control.max_age = int(_settings_of(current_app).cache_seconds)
    if private:
        response.cache_control.private = True
    else:
        response.cache_control.public = True
    return response


def _dataset() -> OpenDataset:
    return current_app.extensions[CACHE].get()


def _json(document: dict) -> Response:
    """JSON in the document's own key order (``jsonify`` would sort the keys)."""
    return Response(json.dumps(document, ensure_ascii=False), mimetype="application/json")
