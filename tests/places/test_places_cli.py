"""``lapor-bridge places import-boundaries`` and ``places locate``."""

from __future__ import annotations

from click.testing import CliRunner

from lapor_bridge.cli import main
from tests.places.conftest import collection, feature, square


def run(ctx, *args):
    env = {"LAPOR_BRIDGE_DATABASE__URL": ctx.settings.database.url, "LAPOR_BRIDGE_CONFIG": None}
    return CliRunner().invoke(main, list(args), env=env)


def test_import_prints_the_report_and_locate_answers(places, tmp_path):
    path = tmp_path / "batas.geojson"
    path.write_text(collection(
        feature(square(110.40, -7.50), "33.76.01.1005", "Kraton", "Tegal Barat"),
        feature(square(110.41, -7.50), name="Entah", kecamatan="Tegal Barat")))
    result = run(places, "places", "import-boundaries", str(path), "--region", "33.76")
    assert result.exit_code == 0, result.output
    assert "batas.geojson: 2 fitur / features; 1 cocok / matched" in result.output
    assert "  #2 Tegal Barat / Entah: tidak ada kelurahan/desa" in result.output
    assert "tempat tanpa poligon / places without a polygon (26):" in result.output

    found = run(places, "places", "locate", "-7.495", "110.405")
    assert found.exit_code == 0, found.output
    assert found.output.startswith("Kraton, Tegal Barat, Kota Tegal (33.76.01.1005;")
    swapped = run(places, "places", "locate", "110.405", "-7.495")
    assert swapped.exit_code == 1 and "tertukar" in swapped.output


def test_nothing_matched_or_a_refused_file_exits_with_1(places, tmp_path):
    path = tmp_path / "lain.geojson"
    path.write_text(collection(feature(square(110.40, -7.50), name="Entah")))
    result = run(places, "places", "import-boundaries", str(path))
    assert result.exit_code == 1 and "0 cocok / matched" in result.output
    unknown = run(places, "places", "import-boundaries", str(path), "--region", "99.99")
    assert unknown.exit_code == 2 and "99.99" in unknown.output
    path.write_text(collection(feature(square(350_000, 9_170_000, 1000), name="Kraton")))
    result = run(places, "places", "import-boundaries", str(path))
    assert result.exit_code == 1
    assert "tidak ada yang diubah / nothing changed" in result.output
