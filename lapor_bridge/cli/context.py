"""The state shared by the commands of one ``lapor-bridge`` invocation."""

from __future__ import annotations

from functools import cached_property

import click

from lapor_bridge.config import ConfigError, Settings, load_settings


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
