"""Migrations build exactly the models' schema on each backend; seeding is idempotent."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from lapor_bridge.db.models import Agency, Base, District, User, Village
from lapor_bridge.services.seed import seed_demo


def test_migrated_schema_matches_the_models(ctx):
    engine = ctx.session_factory.kw["bind"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert inspect(connection).has_table("alembic_version")


def test_seed_demo_is_idempotent(ctx):
    def counts():
        with ctx.read() as session:
            return [session.scalar(select(func.count()).select_from(model))
                    for model in (Agency, District, Village, User)]

    before = counts()
    assert sum(seed_demo(ctx).values()) == 0
    assert counts() == before
    assert before[0] == 11 and before[1] == 4 and before[2] == 27


def test_demo_region_has_every_common_agency_and_officer(ctx):
    with ctx.read() as session:
        codes = set(session.scalars(select(Agency.code)))
        officers = set(session.scalars(select(User.username).where(User.role == "officer")))
    assert codes == {"PUPR", "DINKES", "DISDIK", "DISDUKCAPIL", "DLH", "DISHUB", "SATPOLPP",
                     "PDAM", "DINSOS", "DPMPTSP", "TRIAGE"}
    assert officers == {f"petugas.{code.lower()}" for code in codes - {"TRIAGE"}}


def test_migrations_form_one_line_with_one_head():
    from alembic.script import ScriptDirectory

    from lapor_bridge.db.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert revisions[-1].down_revision is None
