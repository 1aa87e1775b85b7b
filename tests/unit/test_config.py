"""Settings: TOML file, environment overrides with nested keys, clear errors."""

import pytest

from lapor_bridge.config import ConfigError, load_settings


def test_defaults_without_file_or_env():
    settings = load_settings(environ={})
    assert settings.database.url.startswith("sqlite:///")
    assert settings.classifier.threshold == 0.6
    assert settings.lapor.token == "sim-token"


def test_toml_then_environment_then_overrides(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text(
        '[database]\nurl = "sqlite:///from-file.db"\n[classifier]\nthreshold = 0.7\n'
        '[sla]\ncuti_bersama = ["2026-03-23"]\n'
    )
    settings = load_settings(
        config,
        environ={
            "LAPOR_BRIDGE_DATABASE__URL": "postgresql+psycopg://db/x",
            "LAPOR_BRIDGE_APP__MAX_UPLOAD_MB": "7",
            "LAPOR_BRIDGE_APP__SESSION_COOKIE_SECURE": "true",
            "UNRELATED": "1",
        },
        overrides={"lapor.secret": "s3cret"},
    )
    assert settings.database.url == "postgresql+psycopg://db/x"
    assert settings.classifier.threshold == 0.7
    assert settings.app.max_upload_mb == 7
    assert settings.app.session_cookie_secure is True
    assert settings.lapor.secret == "s3cret"
    assert settings.sla.cuti_bersama == ("2026-03-23",)


def test_environment_list_is_comma_separated():
    settings = load_settings(environ={"LAPOR_BRIDGE_SLA__CUTI_BERSAMA": "2026-03-23, 2026-03-24"})
    assert settings.sla.cuti_bersama == ("2026-03-23", "2026-03-24")


def test_settings_are_frozen():
    settings = load_settings(environ={})
    with pytest.raises(AttributeError):
        settings.database.url = "x"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LAPOR_BRIDGE_DATABASE__NOPE": "1"}, "unknown setting"),
        ({"LAPOR_BRIDGE_NOSECTION__X": "1"}, "unknown setting"),
        ({"LAPOR_BRIDGE_APP__MAX_UPLOAD_MB": "lots"}, "must be a number"),
        ({"LAPOR_BRIDGE_APP__SESSION_COOKIE_SECURE": "maybe"}, "true or false"),
    ],
)
def test_bad_values_name_the_setting(environ, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(environ=environ)


def test_missing_and_malformed_files(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "absent.toml", environ={})
    broken = tmp_path / "broken.toml"
    broken.write_text("[database\nurl=")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(broken, environ={})


def test_example_config_loads_and_matches_defaults():
    from pathlib import Path

    from lapor_bridge.config import PROJECT_ROOT

    example = Path(PROJECT_ROOT) / "config.example.toml"
    assert load_settings(example, environ={}) == load_settings(environ={})
