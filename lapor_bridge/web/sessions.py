"""Flask's signed-cookie sessions, with the signing serializer built once per key set."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionCookies(SecureCookieSessionInterface):
    """Flask builds the cookie's serializer anew for every request (pages and API calls
    alike, cookie or not); it depends only on the secret key and its fallbacks, so it is
    kept until they change."""

    def __init__(self) -> None:
        self._built: tuple[tuple | None, URLSafeTimedSerializer | None] = (None, None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """The serializer for the app's current keys (None without a secret key)."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built_for, serializer = self._built
        if built_for != keys:
            serializer = super().get_signing_serializer(app)
            self._built = (keys, serializer)
        return serializer
