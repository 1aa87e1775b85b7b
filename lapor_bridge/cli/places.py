"""``lapor-bridge places …``: kelurahan/desa boundaries and point look-ups.

``import-boundaries`` loads a GeoJSON FeatureCollection (as published by BIG/Geoportal,
BPS or a region's GIS office) and prints what matched, what did not, and which places
are still without a polygon; it exits with 1 when nothing matched. ``locate`` answers
"which kelurahan is this point in?" as the form, bot and APIs will.
"""

from __future__ import annotations

import click

from lapor_bridge.cli.context import all_or_nothing
from lapor_bridge.services.places.boundaries import import_boundaries
from lapor_bridge.services.places.lookup import LocationRefused, locate

LISTED = 50  # lines printed per list; the rest are counted


@click.group("places")
def places() -> None:
    """Kelurahan/desa boundaries: import them, find the kelurahan of a point."""


@places.command("import-boundaries")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--region", "region_code",
              help="Only match places of this kab/kota (or province), e.g. 33.76 "
                   "[default: every region of this instance].")
@click.pass_obj
def import_command(cli, file: str, region_code: str | None) -> None:
    """Load FILE (GeoJSON, longitude/latitude WGS84): polygons of matched places are
    replaced, codes learned; a refused file changes nothing."""
    with all_or_nothing():
        report = import_boundaries(cli.services(), file, region_code)
    click.echo(f"{report.source}: {report.features} fitur / features; "
               f"{report.matched} cocok / matched ({report.by_code} kode / by code, "
               f"{report.by_name} nama / by name); {report.stored} poligon disimpan / "
               f"polygons stored; {report.codes_learned} kode baru / codes learned")
    _listing("diperbaiki (make_valid) / repaired", report.repaired)
    _listing("tidak cocok / unmatched",
             [f"{label}: {reason}" for label, reason in report.unmatched])
    _listing("tempat tanpa poligon / places without a polygon", report.without_polygon)
    if not report.matched:
        raise SystemExit(1)


def _listing(title: str, lines) -> None:
    if not lines:
        return
    click.echo(f"{title} ({len(lines)}):")
    for line in lines[:LISTED]:
        click.echo(f"  {line}")
    if len(lines) > LISTED:
        click.echo(f"  … +{len(lines) - LISTED}")


@places.command("locate", context_settings={"ignore_unknown_options": True})
@click.argument("lat", type=float)
@click.argument("lon", type=float)
@click.option("--region", "region_code", help="Only this kab/kota (or province), e.g. 33.76.")
@click.pass_obj
def locate_command(cli, lat: float, lon: float, region_code: str | None) -> None:
    """Print the kelurahan/desa at LAT LON (WGS84 degrees, south negative: ``locate
    -6.87 109.13``)."""
    try:
        found = locate(cli.services(), lat, lon, region_code)
    except LocationRefused as exc:
        raise click.ClickException("; ".join(exc.errors.values())) from exc
    click.echo(f"{found.kelurahan}, {found.kecamatan}, {found.region_name} "
               f"({found.village_code or found.region_code}; village id {found.village_id})")
