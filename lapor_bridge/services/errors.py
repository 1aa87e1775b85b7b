"""Errors that services raise and every channel translates for its users."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of errors a user can act on."""


class ValidationFailed(ServiceError):
    """Input was refused; ``errors`` maps each bad field to a message (Bahasa Indonesia)."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NotFound(ServiceError):
    """The thing asked for does not exist, or the caller may not know it exists."""


class PermissionDenied(ServiceError):
    """The caller's role or scope does not allow this."""


class Conflict(ServiceError):
    """Someone else changed the thing first (a stale page, a ticket already claimed)."""
