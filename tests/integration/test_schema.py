"""Migrations build exactly the models' schema on each backend; seeding is idempotent."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from lapor_bridge.db.models import Agency, Base, District, Region, RoutingRule, User, Village
from lapor_bridge.services.seed import seed_demo


def test_migrated_schema_matches_the_models(ctx):
    engine = ctx.session_factory.kw["bind"]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert inspect(connection).has_table("alembic_version")


DEMO_REGION = select(Region.id).where(Region.code == "33.76").scalar_subquery()


def test_seed_demo_is_idempotent(ctx):
    """Counted in the demo region (other tests add the neighbours of the demo history)."""
    def counts():
        with ctx.read() as session:
            return [session.scalar(select(func.count()).select_from(Agency).where(
                        Agency.region_id == DEMO_REGION)),
                    session.scalar(select(func.count()).select_from(District).where(
                        District.region_id == DEMO_REGION)),
                    session.scalar(select(func.count()).select_from(Village).join(District)
                                   .where(District.region_id == DEMO_REGION)),
                    session.scalar(select(func.count()).select_from(User)),
                    session.scalar(select(func.count()).select_from(RoutingRule).where(
                        RoutingRule.region_id == DEMO_REGION))]

    before = counts()
    assert sum(seed_demo(ctx).values()) == 0
    assert counts() == before
    assert before[:3] == [11, 4, 27] and before[4] > 30


def test_demo_region_has_every_common_agency_and_officer(ctx):
    with ctx.read() as session:
        agencies = select(Agency).where(Agency.region_id == DEMO_REGION).subquery()
        codes = set(session.scalars(select(agencies.c.code)))
        officers = set(session.scalars(select(User.username).where(
            User.role == "officer", User.agency_id.in_(select(agencies.c.id)))))
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
