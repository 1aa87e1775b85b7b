"""The demo's kelurahan/desa boundaries (``lapor_bridge/data/demo_boundaries.json``:
simplified, approximate, see the README beside it), loaded by ``seed_demo``."""

from __future__ import annotations

from importlib.resources import as_file, files

from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.places.boundaries import ImportReport, import_boundaries

DEMO_FILE = "demo_boundaries.json"


def load_demo_boundaries(ctx: ServiceContext) -> ImportReport:
    """Give the demo places that have no polygon yet theirs (idempotent: places with a
    polygon, the demo's or an imported one, keep it)."""
    with as_file(files("lapor_bridge.data").joinpath(DEMO_FILE)) as path:
        return import_boundaries(ctx, path, only_missing=True)
