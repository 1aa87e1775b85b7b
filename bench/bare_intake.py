"""The baseline of ``bench_intake.py``: bare Flask + SQLAlchemy storing the same complaint row.

No validation, classification, routing, events or outbox: parse the JSON, insert the
complaint (same table, same columns, Core insert) in one transaction, answer 201.
Served by gunicorn exactly like the real app: ``gunicorn 'bare_intake:create_app()'``
with ``BARE_DATABASE_URL`` and ``BARE_POOL_SIZE`` in the environment.
"""

from __future__ import annotations

import hashlib
import os
import secrets

from flask import Flask, jsonify, request
from sqlalchemy import create_engine, insert, select

from lapor_bridge.db.models import Agency, Complaint, Region
from lapor_bridge.services.intake.submit import new_tracking_number


def create_app() -> Flask:
    """One engine per worker process; the region and agency are looked up once."""
    engine = create_engine(os.environ["BARE_DATABASE_URL"],
                           pool_size=int(os.environ.get("BARE_POOL_SIZE", "5")))
    with engine.connect() as connection:
        region_id = connection.scalar(select(Region.id).where(Region.code == "33.76"))
        agency_id = connection.scalar(select(Agency.id).where(Agency.code == "PUPR"))
    app = Flask(__name__)

    @app.post("/api/v1/complaints")
    def create():
        body = request.get_json()
        number = new_tracking_number()
        with engine.begin() as connection:
            connection.execute(insert(Complaint.__table__).values(
                tracking_number=number, reporter_key_hash=hashlib.sha256(
                    secrets.token_bytes(16)).hexdigest(), region_id=region_id,
                title=body["title"], description=body["description"], channel="api",
                agency_id=agency_id, status="disposed"))
        return jsonify(tracking_number=number), 201

    return app
