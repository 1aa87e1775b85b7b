"""``lapor-bridge routing export/import``: the routing table as CSV, round trip and refusals."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lapor_bridge.cli import main
from lapor_bridge.db.models import Agency, Region, RoutingRule, RoutingRuleChange
from lapor_bridge.domain import categories

KOTA = "33.76"



def run(ctx, *args, input=None):
    env = {"LAPOR_BRIDGE_DATABASE__URL": ctx.settings.database.url, "LAPOR_BRIDGE_CONFIG": None}
    return CliRunner().invoke(main, list(args), env=env, input=input)


def table(ctx) -> dict[str, str]:
    with ctx.read() as session:
        return dict(session.execute(
            select(RoutingRule.category, Agency.code)
            .join(Agency, Agency.id == RoutingRule.agency_id)
            .join(Region, Region.id == RoutingRule.region_id).where(Region.code == KOTA)).all())


def csv_audit(ctx) -> list[tuple]:
    with ctx.read() as session:
        return [tuple(row) for row in session.execute(
            select(RoutingRuleChange.category, RoutingRuleChange.old_agency_code,
                   RoutingRuleChange.new_agency_code, RoutingRuleChange.user_id)
            .where(RoutingRuleChange.source == "csv").order_by(RoutingRuleChange.id))]


def test_export_edit_import_round_trip(ctx, tmp_path):
    printed = run(ctx, "routing", "export", "--region", KOTA)
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert lines[0] == "category,agency"
    assert [line.split(",")[0] for line in lines[1:]] == list(categories.CODES)
    assert "pju,DISHUB" in lines and "pemakaman,DLH" in lines and "rumah_layak," in lines

    exported = tmp_path / "rute.csv"
    result = run(ctx, "routing", "export", "--region", KOTA, "--out", str(exported))
    assert result.exit_code == 0, result.output
    assert exported.read_text(encoding="utf-8") == printed.output
    edited = (exported.read_text(encoding="utf-8")
              .replace("pju,DISHUB", "pju,PUPR").replace("pemakaman,DLH", "pemakaman,")
              .replace("rumah_layak,", "rumah_layak,PUPR"))
    exported.write_text(edited, encoding="utf-8")
    before = table(ctx)

    result = run(ctx, "routing", "import", "--region", KOTA, str(exported))
    assert result.exit_code == 0, result.output
    assert "3 baris diubah" in result.output
    assert table(ctx) == {**{k: v for k, v in before.items() if k != "pemakaman"},
                          "pju": "PUPR", "rumah_layak": "PUPR"}
    assert sorted(csv_audit(ctx)) == [("pemakaman", "DLH", None, None),
                                      ("pju", "DISHUB", "PUPR", None),
                                      ("rumah_layak", None, "PUPR", None)]
    assert run(ctx, "routing", "export", "--region", KOTA).output == edited
    again = run(ctx, "routing", "import", "--region", KOTA, str(exported))
    assert again.exit_code == 0 and "0 baris diubah" in again.output


def test_import_reads_a_partial_file_from_stdin_with_a_byte_order_mark(ctx):
    before = table(ctx)
    result = run(ctx, "routing", "import", "--region", KOTA, "-",
                 input="\ufeffcategory,agency\r\ntaman, PUPR \r\n".encode())
    assert result.exit_code == 0, result.output
    assert "1 baris diubah" in result.output
    assert table(ctx) == {**before, "taman": "PUPR"}


BAD_FILES = {
    "wrong header": ("kategori,instansi\npju,PUPR\n", "category,agency"),
    "repeated category": ("category,agency\npju,PUPR\njalan,DLH\npju,DLH\n", "Baris 4"),
    "empty category": ("category,agency\n,PUPR\n", "Baris 2"),
    "unknown agency": ("category,agency\njalan,DLH\npju,TIDAKADA\n", "TIDAKADA"),
    "unknown category": ("category,agency\njalan,DLH\nlampu,PUPR\n", "lampu"),
    "agency of another region": ("category,agency\ntaman,DPRKP\n", "DPRKP"),
    "empty file": ("", "category,agency"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_changes_nothing(ctx, tmp_path, name):
    text, said = BAD_FILES[name]
    path = tmp_path / "rute.csv"
    path.write_text(text, encoding="utf-8")
    before = table(ctx)
    result = run(ctx, "routing", "import", "--region", KOTA, str(path))
    assert result.exit_code == 1, result.output
    assert said in result.output and "nothing changed" in result.output
    assert table(ctx) == before
    assert csv_audit(ctx) == []


def test_a_file_that_is_not_utf8_is_refused(ctx, tmp_path):
    path = tmp_path / "rute.csv"
    path.write_bytes("category,agency\npju,PUPR\n# café\n".encode("cp1252"))
    before = table(ctx)
    result = run(ctx, "routing", "import", "--region", KOTA, str(path))
    assert result.exit_code == 1 and "UTF-8" in result.output
    assert table(ctx) == before


def test_an_unknown_region_is_a_usage_error(ctx, tmp_path):
    assert run(ctx, "routing", "export", "--region", "99.99").exit_code == 2
    path = tmp_path / "rute.csv"
    path.write_text("category,agency\npju,PUPR\n", encoding="utf-8")
    result = run(ctx, "routing", "import", "--region", "99.99", str(path))
    assert result.exit_code == 2 and "99.99" in result.output


def test_a_line_left_at_a_deactivated_agency_imports_unchanged(ctx, tmp_path):
    """An export names an agency deactivated since; importing it back must not fail."""
    set_active(ctx, "DPMPTSP", False)
    try:
        exported = run(ctx, "routing", "export", "--region", KOTA).output
        assert "perizinan,DPMPTSP" in exported
        path = tmp_path / "rute.csv"
        path.write_text(exported, encoding="utf-8")
        result = run(ctx, "routing", "import", "--region", KOTA, str(path))
        assert result.exit_code == 0 and "0 baris diubah" in result.output, result.output
        path.write_text(exported.replace("ppdb,DISDIK", "ppdb,DPMPTSP"), encoding="utf-8")
        result = run(ctx, "routing", "import", "--region", KOTA, str(path))
        assert result.exit_code == 1 and "DPMPTSP" in result.output
        assert table(ctx)["ppdb"] == "DISDIK"
    finally:
        set_active(ctx, "DPMPTSP", True)


def set_active(ctx, code: str, active: bool) -> None:
    with ctx.transaction() as session:
        session.scalar(select(Agency).join(Region, Region.id == Agency.region_id)
                       .where(Region.code == KOTA, Agency.code == code)).active = active
