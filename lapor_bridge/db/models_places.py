"""Kelurahan/desa boundaries: one polygon per village, stored portably.

The geometry is WKB (2D, longitude/latitude WGS84, as GeoJSON) in a plain binary column
so that SQLite and PostgreSQL without PostGIS keep it alike; the bounding box beside it
lets a map ask for a window without decoding every polygon. Point → kelurahan look-ups
do not query this table: :mod:`lapor_bridge.services.places.lookup` loads it into an
in-process spatial index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from lapor_bridge.db.models import Base, utcnow


class VillageBoundary(Base):
    """The boundary of one kelurahan/desa (a Polygon or MultiPolygon, WKB, lon/lat)."""

    __tablename__ = "village_boundaries"

    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), primary_key=True)
    geometry: Mapped[bytes] = mapped_column(LargeBinary)
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(200))  # the imported file's name
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
