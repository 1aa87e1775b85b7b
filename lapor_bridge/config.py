"""Settings: one TOML file plus ``LAPOR_BRIDGE_*`` environment overrides.

Nested keys use a double underscore: ``LAPOR_BRIDGE_DATABASE__URL`` sets
``[database] url``. The result is one frozen :class:`Settings` object.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "LAPOR_BRIDGE_"
CONFIG_ENV = "LAPOR_BRIDGE_CONFIG"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """The configuration is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class AppSettings:
    """Web application and deployment identity."""

    secret_key: str = "dev-only-change-me"  # noqa: S105 - placeholder; set via config or env
    region_code: str = "33.76"
    timezone: str = "Asia/Jakarta"
    default_locale: str = "id"
    instance_dir: str = "instance"
    upload_dir: str = "instance/uploads"
    max_upload_mb: int = 5
    max_photos: int = 3
    intake_rate_limit: str = "10 per minute;100 per day"
    rate_limit_storage: str = "memory://"
    session_cookie_secure: bool = False
    place_cache_seconds: float = 10.0
    # Tile server for the form's map ("https://tile.example/{z}/{x}/{y}.png"); "": none,
    # the kelurahan boundaries themselves are the base map (works offline).
    map_tile_url: str = ""


@dataclass(frozen=True)
class DatabaseSettings:
    """SQLAlchemy engine settings."""

    url: str = "sqlite:///instance/lapor-bridge.db"
    echo: bool = False
    pool_size: int = 5
    max_overflow: int = 10
    pool_timeout: int = 30


@dataclass(frozen=True)
class ClassifierSettings:
    """Routing model location and confidence threshold."""

    model_dir: str = "instance/models/current"
    threshold: float = 0.6
    retrain_data: str = ""
    reload_check_seconds: float = 30.0


@dataclass(frozen=True)
class LaporSettings:
    """SP4N-LAPOR! v3 adapter: base URL, credentials, paths, timeouts."""

    base_url: str = "http://127.0.0.1:8500/api/v3"
    token: str = "sim-token"  # noqa: S105
    secret: str = "sim-secret"  # noqa: S105
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    channel_id: int = 1
    user_id: int = 1
    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    batch_size: int = 100
    # Master ids a report gets when the draft leaves them unset (deployment data).
    classification_id: int = 2
    category_id: int = 1
    # "<LAPOR! category name>=<id>" per LAPOR! category (domain.categories names the one
    # each service category is filed under); a category not listed gets category_id.
    category_ids: tuple[str, ...] = ()
    location_id: int = 3376
    page_size: int = 100
    master_page_size: int = 1000
    pool_size: int = 10
    # Paths under base_url; {complaint_id} is filled in. path_search is an assumed
    # endpoint (tag and disposition lookups), see lapor_bridge/lapor/README.md.
    path_institutions: str = "/masters/institutions/external"
    path_templates: str = "/masters/templates"
    path_upload: str = "/complaints/complaint/file"
    path_create: str = "/complaints/complaint"
    path_reject: str = "/complaints/process/{complaint_id}/reject"
    path_detail: str = "/complaints/{complaint_id}/complaint"
    path_followups: str = "/complaints/{complaint_id}/followups"
    path_followup_add: str = "/complaints/followup/add"
    path_search: str = "/complaints"
    # Sync (docs/sync.md): claim lease, sender/poller threads, poll cadence by state,
    # job intervals, master-data age, how soon an unmapped agency's rows are re-checked.
    lease_seconds: float = 300.0
    concurrency: int = 4
    poll_unverified_seconds: float = 900.0
    poll_open_seconds: float = 10800.0
    push_interval_seconds: float = 60.0
    poll_interval_seconds: float = 300.0
    inbound_interval_seconds: float = 900.0
    masters_max_age_hours: float = 24.0
    unmapped_retry_seconds: float = 600.0


@dataclass(frozen=True)
class TelegramSettings:
    """Telegram bot: token, Bot API endpoint, run mode, conversation and delivery tuning."""

    token: str = ""
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: str = "polling"
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    poll_timeout_seconds: int = 30
    conversation_timeout_seconds: float = 900.0
    persistence_interval_seconds: float = 2.0
    rate_limit_messages: int = 20
    rate_limit_window_seconds: float = 60.0
    notify_interval_seconds: float = 5.0
    notify_batch_size: int = 20
    notify_lease_seconds: float = 120.0
    notify_max_attempts: int = 10
    notify_backoff_base_seconds: float = 10.0
    notify_backoff_max_seconds: float = 1800.0
    duplicate_threshold: float = 0.5
    duplicate_window_days: int = 14
    duplicate_radius_m: float = 150.0


@dataclass(frozen=True)
class SlaSettings:
    """Working-day targets (LAPOR! defaults), local overrides, escalation, extra days off.

    ``agency_targets`` entries read ``"<AGENCY CODE>.<target>=<days>"``, e.g.
    ``"DINKES.first_response_days=2"``; ``escalate_*_after_days`` are working days
    overdue before the agency head, the regional admin, the coordinator hear of it.
    """

    dispose_days: int = 3
    first_response_days: int = 5
    auto_close_days: int = 10
    completion_days: int = 60
    cuti_bersama: tuple[str, ...] = ()
    agency_targets: tuple[str, ...] = ()
    escalate_head_after_days: float = 0.0
    escalate_admin_after_days: float = 2.0
    escalate_coordinator_after_days: float = 5.0


@dataclass(frozen=True)
class ServerSettings:
    """``lapor-bridge serve`` under gunicorn: address, processes, threads, timeouts."""

    host: str = "127.0.0.1"
    port: int = 5000
    workers: int = 2
    threads: int = 4
    timeout: int = 30
    graceful_timeout: int = 30
    keepalive: int = 5
    worker_connections: int = 1000
    max_requests: int = 0
    max_requests_jitter: int = 0
    preload: bool = False


@dataclass(frozen=True)
class LogSettings:
    """Log lines: ``text`` for people, ``json`` (one object a line) for collectors."""

    format: str = "text"
    level: str = "INFO"


@dataclass(frozen=True)
class MetricsSettings:
    """Prometheus: the web's shared sample folder, and the worker's own port (0: none)."""

    multiproc_dir: str = "instance/prometheus"
    worker_host: str = "127.0.0.1"
    worker_port: int = 0


@dataclass(frozen=True)
class MailSettings:
    """E-mail to residents who left an address: SMTP server (empty host: not sent yet)."""

    smtp_host: str = ""
    smtp_port: int = 25
    starttls: bool = False
    username: str = ""
    password: str = ""
    sender: str = "LAPOR! Kota Tegal <lapor@localhost>"
    public_url: str = "http://127.0.0.1:5000"
    timeout_seconds: float = 10.0
    interval_seconds: float = 30.0
    batch_size: int = 50
    lease_seconds: float = 300.0
    max_attempts: int = 8
    backoff_base_seconds: float = 60.0
    backoff_max_seconds: float = 3600.0


@dataclass(frozen=True)
class FederationSettings:
    """Federation (docs/federation.md). At a member: the key the province issued (a
    secret: set it through the environment), this instance's public address for links,
    and the push cadence, batch, timeouts and retry rules (as the LAPOR! outbox's)."""

    key: str = ""
    public_url: str = ""
    push_interval_seconds: float = 60.0
    drift_interval_seconds: float = 3600.0
    batch_size: int = 200
    connect_timeout: float = 3.0
    read_timeout: float = 30.0
    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    max_records_per_request: int = 1000


@dataclass(frozen=True)
class OpenDataSettings:
    """Open statistics at ``/data/`` (docs/open_data.md): the smallest count published
    (k-anonymity), how long one computation of the dataset is served, the per-address
    rate limit, and the catalogue's title, publisher, contact and licence."""

    min_count: int = 5
    cache_seconds: float = 600.0
    rate_limit: str = "60 per minute;600 per hour"
    title: str = "Statistik pengaduan masyarakat"
    publisher: str = "Pemerintah Kota Tegal"
    contact_name: str = "Admin Satu Data"
    contact_email: str = "data@localhost"
    licence: str = "CC BY 4.0"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/"

    def __post_init__(self) -> None:
        if self.min_count < 1:
            raise ConfigError(f"open_data.min_count must be at least 1, got {self.min_count}")
        if self.cache_seconds < 0:
            raise ConfigError(
                f"open_data.cache_seconds must not be negative, got {self.cache_seconds}")


@dataclass(frozen=True)
class Settings:
    """All settings of one deployment."""

    app: AppSettings = field(default_factory=AppSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    lapor: LaporSettings = field(default_factory=LaporSettings)
    telegram: TelegramSettings = field(default_factory=TelegramSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    log: LogSettings = field(default_factory=LogSettings)
    metrics: MetricsSettings = field(default_factory=MetricsSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    federation: FederationSettings = field(default_factory=FederationSettings)
    open_data: OpenDataSettings = field(default_factory=OpenDataSettings)

    def path(self, value: str) -> Path:
        """A configured path made absolute against the working directory; a symbolic link
        stays a link (``model_dir`` is one, moved by ``classifier promote``)."""
        return Path(value).expanduser().absolute()


def load_settings(
    path: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, object] | None = None,
) -> Settings:
    """Build settings from a TOML file, then the environment, then ``overrides``.

    ``path`` defaults to ``$LAPOR_BRIDGE_CONFIG`` or ``./config.toml`` when present.
    """
    environ = os.environ if environ is None else environ
    raw: dict[str, dict[str, object]] = {}
    config_path = path or environ.get(CONFIG_ENV)
    if config_path is None and Path("config.toml").is_file():
        config_path = "config.toml"
    if config_path is not None:
        try:
            with open(config_path, "rb") as handle:
                raw = tomllib.load(handle)
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {config_path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"config file {config_path} is not valid TOML: {exc}") from exc
    for key, value in environ.items():
        if not key.startswith(ENV_PREFIX) or key == CONFIG_ENV or "__" not in key:
            continue
        section, _, name = key[len(ENV_PREFIX) :].lower().partition("__")
        raw.setdefault(section, {})[name] = value
    for dotted, value in (overrides or {}).items():
        section, _, name = dotted.partition(".")
        raw.setdefault(section, {})[name] = value
    return _build(Settings, raw, "")


def _build(cls: type, raw: Mapping[str, object], where: str):
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) {sorted(unknown)} in [{where or 'root'}]")
    values = {}
    for name, value in raw.items():
        hint = hints[name]
        label = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(hint):
            if not isinstance(value, Mapping):
                raise ConfigError(f"[{label}] must be a table")
            values[name] = _build(hint, value, label)
        else:
            values[name] = _coerce(value, hint, label)
    return cls(**values)


def _coerce(value: object, hint: object, label: str) -> object:
    origin = typing.get_origin(hint)
    if origin is tuple:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{label} must be a list")
        return tuple(str(item) for item in value)
    if origin in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if hint is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{label} must be true or false, got {value!r}")
    if hint in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{label} must be a number, got {value!r}")
        try:
            return hint(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{label} must be a number, got {value!r}") from exc
    return str(value)
