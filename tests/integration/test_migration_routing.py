"""Upgrading a database of the first release: old category names become codes, and every
region gets the standard routing table for the agency codes it has."""

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from lapor_bridge.db.migrate import alembic_config
from tests.conftest import _postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
    else:
        yield from _postgres_database()


def test_upgrade_from_0009_keeps_agencies_and_renames_categories(empty_url):
    engine = create_engine(empty_url)
    config = alembic_config(empty_url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0009")
        connection.execute(text(
            "INSERT INTO regions (id, code, name, kind) VALUES (1, '33.01', 'Kab. Lama', "
            "'kabupaten')"))
        for agency_id, code, is_triage in ((1, "PUPR", False), (2, "DLH", False),
                                           (3, "TRIAGE", True), (4, "BAPPEDA", False)):
            connection.execute(text(
                "INSERT INTO agencies (id, region_id, code, name, is_triage, active) "
                "VALUES (:id, 1, :code, :code, :triage, :active)"),
                {"id": agency_id, "code": code, "triage": is_triage, "active": True})
        connection.execute(text(
            "INSERT INTO complaints (id, tracking_number, reporter_key_hash, region_id, title,"
            " description, channel, is_anonymous, is_secret, agency_id, category, status,"
            " created_at, updated_at, version, pauses, escalation_level) VALUES (1, 'OLD00001',"
            " 'x', 1, 'Jalan', 'Jalan berlubang', 'web', :no, :no, 1, 'Jalan rusak',"
            " 'disposed', :at, :at, 1, '[]', 0)"), {"no": False, "at": "2025-01-02 03:04:05"})
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        category, agency = connection.execute(text(
            "SELECT category, agency_id FROM complaints WHERE id = 1")).one()
        rules = dict(connection.execute(text(
            "SELECT r.category, a.code FROM routing_rules r JOIN agencies a"
            " ON a.id = r.agency_id")).all())
        audited = connection.execute(text(
            "SELECT count(*) FROM routing_rule_changes WHERE source = 'migration'")).scalar()
    engine.dispose()
    assert (category, agency) == ("jalan", 1)
    assert rules["jalan"] == "PUPR" and rules["sampah"] == "DLH"
    assert set(rules.values()) == {"PUPR", "DLH"}  # no triage, no agency it lacks
    assert audited == len(rules)
