"""Settings come from LPG_USSD_* variables, and .env.example documents every one."""

from pathlib import Path

import pytest

from lpg_ussd.settings import Settings, SettingsError, env_names

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_in_env_example() -> None:
    example = (ROOT / ".env.example").read_text()
    listed = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}
    listed = {name for name in listed if not name.startswith("#")}
    assert set(env_names()) == listed


def test_values_are_read_and_converted() -> None:
    settings = Settings.from_env(
        {
            "LPG_USSD_AUTO_VERIFY": "true",
            "LPG_USSD_SCREEN_LIMIT": "120",
            "LPG_USSD_STAFF_ALERT_NUMBERS": "+233200000001, +233200000002",
            "UNRELATED": "x",
        }
    )
    assert settings.auto_verify is True
    assert settings.screen_limit == 120
    assert settings.staff_alert_numbers == ("+233200000001", "+233200000002")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LPG_USSD_SCREEN_LIMIT", "many"),
        ("LPG_USSD_SCREEN_LIMIT", "500"),
        ("LPG_USSD_ORDER_PREFIX", "N-G"),
        ("LPG_USSD_HOP_DEADLINE_SECONDS", "0"),
    ],
)
def test_bad_values_are_refused_clearly(name: str, value: str) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({name: value})
