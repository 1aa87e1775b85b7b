"""The base of every error the domain layer raises."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule was broken; services translate it for the user."""
