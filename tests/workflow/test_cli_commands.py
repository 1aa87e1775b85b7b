"""The workflow commands: erase a reporter's identity, run the SLA watch once."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from lapor_bridge.cli import main
from lapor_bridge.db.models import Complaint, ReporterContact


def run(ctx, *args):
    env = {"LAPOR_BRIDGE_DATABASE__URL": ctx.settings.database.url, "LAPOR_BRIDGE_CONFIG": None}
    return CliRunner().invoke(main, list(args), env=env)


def test_erase_personal_data_command(ctx, file):
    number = file("DLH").tracking_number
    result = run(ctx, "erase-personal-data", "--yes", number)
    assert result.exit_code == 0, result.output
    assert "personal data erased" in result.output
    with ctx.read() as session:
        assert session.scalar(select(func.count()).select_from(ReporterContact)) == 0
        assert session.scalar(select(Complaint.personal_data_erased_at)) is not None
    assert "already erased" in run(ctx, "erase-personal-data", "--yes", number).output
    assert run(ctx, "erase-personal-data", "--yes", "TIDAKADA").exit_code == 1


def test_sla_cycle_command(ctx, file):
    file("DLH")
    result = run(ctx, "sla-cycle")
    assert result.exit_code == 0, result.output
    assert "checked 0, escalated 0 (0 alerts), auto-closed 0" in result.output
