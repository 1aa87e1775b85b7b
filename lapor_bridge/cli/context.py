"""The state shared by the commands of one ``lapor-bridge`` invocation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property

import click

from lapor_bridge.config import ConfigError, Settings, load_settings
from lapor_bridge.services.errors import NotFound, ValidationFailed


class CliContext:
    """Shared state of one command invocation; settings load lazily."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path

    @cached_property
    def settings(self) -> Settings:
        """The deployment settings (raises a usage error when malformed)."""
        try:
            return load_settings(self.config_path)
        except ConfigError as exc:
            raise click.UsageError(str(exc)) from exc

    def services(self):
        """A service context over these settings, without the routing model (imported
        here: quick commands do not load the service stack)."""
        from lapor_bridge.services.context import build_context

        return build_context(self.settings, load_model=False)


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """A refused change as the command line says it: an unknown region is a usage
    error; invalid input fails with "nothing changed" and every reason."""
    try:
        yield
    except NotFound as exc:
        raise click.UsageError(str(exc)) from exc
    except ValidationFailed as exc:
        raise click.ClickException(
            "tidak ada yang diubah / nothing changed: " + "; ".join(exc.errors.values())
        ) from exc
