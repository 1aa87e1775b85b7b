"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``LAPOR_BRIDGE_TEST_PG_URL`` (default: the local server). Each
test session creates its own database there and drops it at the end, so parallel
runs never share state. Where PostgreSQL is unreachable its tests skip, except on CI
(``CI=true``), where that is a failure.
"""

from __future__ import annotations

import os
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url

import lapor_bridge.db.all_models  # noqa: F401  (registers every table)
from lapor_bridge.config import load_settings
from lapor_bridge.db.engine import make_engine, make_session_factory
from lapor_bridge.db.migrate import upgrade_to_head
from lapor_bridge.db.models import Base
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.seed import seed_demo

PG_ADMIN_URL = os.environ.get(
    "LAPOR_BRIDGE_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REFERENCE_TABLES = {"regions", "districts", "villages", "agencies", "users", "alembic_version",
                    "response_templates"}
ON_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync"]


def _postgres_database():
    """Create a fresh PostgreSQL database for this session; yield its URL, then drop it."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            name = f"lapor_test_{uuid.uuid4().hex[:10]}"
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # any connection failure means "no PostgreSQL here"
        admin.dispose()
        message = f"PostgreSQL not reachable at {make_url(PG_ADMIN_URL).host}: {type(exc).__name__}"
        if ON_CI:
            pytest.fail(f"{message} (CI=true requires PostgreSQL)")
        pytest.skip(f"{message}; PostgreSQL tests skipped (set LAPOR_BRIDGE_TEST_PG_URL)")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def starter_model_dir(tmp_path_factory) -> Path:
    """The starter routing model, trained once per test session."""
    from classifiers.model import train_starter

    model_dir = tmp_path_factory.mktemp("model") / "current"
    train_starter(model_dir)
    return model_dir


@pytest.fixture(scope="session")
def starter_model(starter_model_dir):
    """The loaded starter model."""
    from classifiers.model import load_model

    return load_model(starter_model_dir)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A migrated, demo-seeded database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        yield from _prepared(url)
    else:
        for url in _postgres_database():
            yield from _prepared(url)


def _prepared(url: str):
    settings = load_settings(environ={}, overrides={"database.url": url})
    engine = make_engine(settings.database)
    upgrade_to_head(engine)
    seed_demo(ServiceContext(settings, make_session_factory(engine)))
    engine.dispose()
    yield url


@pytest.fixture
def settings(database_url, tmp_path, starter_model_dir):
    """Settings for one test: its database backend, a private upload folder."""
    return load_settings(
        environ={},
        overrides={
            "database.url": database_url,
            "app.upload_dir": str(tmp_path / "uploads"),
            "app.secret_key": "test-secret",
            "app.intake_rate_limit": "1000 per minute",
            "classifier.model_dir": str(starter_model_dir),
        },
    )


@pytest.fixture
def ctx(settings, starter_model):
    """A service context; complaint data is wiped after the test (reference data stays)."""
    engine = make_engine(settings.database)
    context = ServiceContext(settings, make_session_factory(engine), starter_model)
    yield context
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                connection.execute(delete(table))
    _restore_routing_table(context)
    engine.dispose()


def _restore_routing_table(context: ServiceContext) -> None:
    """The demo region's routing table as seeded (tests edit it; other regions' tables
    are seeded again by whatever test creates their history)."""
    from lapor_bridge import demo_region
    from lapor_bridge.db.models import Region
    from lapor_bridge.services.intake.routing_table import seed_table

    with context.transaction() as session:
        region = session.scalar(select(Region).where(Region.code == demo_region.REGION[0]))
        seed_table(session, region, demo_region.ROUTING, context.clock())


@contextmanager
def kept_places(ctx):
    """Undo what a test adds to the reference tables (kab/kota, kecamatan, kelurahan,
    agencies, users; ``seed_history`` adds the demo's two neighbours, federation ingest a
    member's places) once it is done, with all complaint and federation data."""
    from lapor_bridge.db.models import Agency, District, Region, User, Village

    places = (User, Agency, Village, District, Region)  # deletion order
    kept = {"regions", "districts", "villages", "agencies", "users", "alembic_version",
            "response_templates"}
    with ctx.read() as session:
        before = {model: session.scalar(select(func.max(model.id))) or 0 for model in places}
    try:
        yield
    finally:
        with ctx.transaction() as session:
            session.execute(update(Region).where(Region.member_id.is_not(None))
                            .values(member_id=None))
            for table in reversed(Base.metadata.sorted_tables):
                if table.name not in kept:
                    session.execute(delete(table))
            for model in places:
                session.execute(delete(model).where(model.id > before[model]))


@pytest.fixture
def extra_places(ctx):
    """:func:`kept_places` around the test."""
    with kept_places(ctx):
        yield


@pytest.fixture
def app(ctx):
    """The web app over the test's service context."""
    from lapor_bridge.web import create_app, limiter

    application = create_app(context=ctx)
    application.config["TESTING"] = True
    limiter.reset()
    return application


@pytest.fixture
def client(app):
    """A test client with CSRF checks on, as in production."""
    return app.test_client()


@pytest.fixture
def csrf(client):
    """Fetch the CSRF token of the form on a path, like a browser would."""
    return lambda path: csrf_token(client, path)


@pytest.fixture
def login(client):
    """Log the client in as a demo user (fetching the CSRF token like a browser)."""
    from lapor_bridge.demo_region import DEMO_PASSWORD

    def _login(username: str, password: str = DEMO_PASSWORD):
        return client.post(
            "/masuk",
            data={"username": username, "password": password,
                  "csrf_token": csrf_token(client, "/masuk")},
        )

    return _login


def csrf_token(client, path: str) -> str:
    """The CSRF token from the form on ``path``."""
    import re

    page = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@contextmanager
def serving(app):
    """The app on a free loopback port in a background thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@pytest.fixture
def served(app):
    """The app over real HTTP (both databases), for clients that speak it themselves."""
    with serving(app) as url:
        yield url


@pytest.fixture
def live_server(app, ctx):
    """The app served on a free local port in a background thread (browser tests, SQLite)."""
    if ctx.settings.database.url.startswith("postgresql"):
        pytest.skip("browser flows run once, on SQLite")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with serving(app) as url:
        yield url


@pytest.fixture
def browser_page(live_server):
    """A Chromium page (Debian's /usr/bin/chromium through Playwright); downloads allowed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        page = browser.new_page(accept_downloads=True)
        page.set_default_timeout(15_000)
        yield page
        browser.close()


PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser_page):
    """``phone(javascript=True, where=None)``: a fresh phone-sized touch context (360 px,
    scale 2); ``where`` grants geolocation at that point."""
    browser = browser_page.context.browser
    contexts = []

    def _open(javascript: bool = True, where: dict | None = None):
        options = {"geolocation": where, "permissions": ["geolocation"]} if where else {}
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                                      device_scale_factor=2, java_script_enabled=javascript,
                                      **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    """``test-artifacts/`` at the project root, where browser tests save screenshots."""
    folder = Path(__file__).resolve().parents[1] / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder
