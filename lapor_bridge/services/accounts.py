"""Logging in: check a username and password, keep hashes current."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from lapor_bridge.db.models import User
from lapor_bridge.services.context import ServiceContext
from lapor_bridge.services.passwords import hash_password, needs_rehash, verify_password

_DUMMY_HASH = hash_password("timing-equaliser")


@dataclass(frozen=True)
class Principal:
    """Who is logged in, and what they may see."""

    user_id: int | None
    username: str
    full_name: str
    role: str
    agency_id: int | None
    region_id: int | None


def authenticate(ctx: ServiceContext, username: str, password: str) -> Principal | None:
    """The user when the password matches an active account, else None."""
    with ctx.transaction() as session:
        user = session.scalar(select(User).where(User.username == username.strip().lower()))
        if user is None or not user.active:
            verify_password(_DUMMY_HASH, password)
            return None
        if not verify_password(user.password_hash, password):
            return None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = ctx.clock()
        return principal_of(user)


def load_principal(ctx: ServiceContext, user_id: int) -> Principal | None:
    """The active user with this id, or None."""
    with ctx.read() as session:
        user = session.get(User, user_id)
        return principal_of(user) if user is not None and user.active else None


def principal_of(user: User) -> Principal:
    """The session-safe summary of a user row."""
    return Principal(user.id, user.username, user.full_name, user.role,
                     user.agency_id, user.region_id)
