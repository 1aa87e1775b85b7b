"""SessionCookies: Flask's signed cookies, the serializer kept until the keys change."""

from flask import Flask, session

from lapor_bridge.web.sessions import SessionCookies


def app_with(secret_key):
    app = Flask(__name__)
    app.secret_key = secret_key
    app.session_interface = SessionCookies()

    @app.post("/login/<name>")
    def login(name):
        session["user"] = name
        return "ok"

    @app.get("/me")
    def me():
        return session.get("user", "anonymous")

    return app


def test_the_serializer_is_built_once_per_key_set():
    app = app_with("first key")
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    app.secret_key = "second key"
    assert interface.get_signing_serializer(app) is not first
    app.secret_key = None
    assert interface.get_signing_serializer(app) is None


def test_sessions_survive_a_key_rotation_with_the_old_key_as_fallback():
    app = app_with("old key")
    client = app.test_client()
    client.post("/login/budi")
    assert client.get("/me").text == "budi"
    app.secret_key = "new key"
    assert client.get("/me").text == "anonymous"  # signed with a key no longer known
    app.config["SECRET_KEY_FALLBACKS"] = ["old key"]
    assert client.get("/me").text == "budi"
