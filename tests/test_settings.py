"""Settings precedence: environment over staffq.toml over defaults (and, for the secret, over its file)."""

import tomllib

import pytest
from pydantic import ValidationError

from flows.settings import Settings, load_settings, render_config


def test_the_environment_wins_over_the_file_and_the_file_over_defaults(tmp_path, monkeypatch):
    (tmp_path / "staffq.toml").write_text('[schedule]\ncron = "0 2 * * *"\n[validation]\nmax_age = 65\n')
    monkeypatch.setenv("STAFFQ_SCHEDULE__CRON", "30 0 * * *")
    monkeypatch.setenv("STAFFQ_ALERTS__OPERATOR", '["json://127.0.0.1:8080/hook"]')
    settings = load_settings(tmp_path)
    assert settings.schedule.cron == "30 0 * * *"
    assert settings.schedule.timezone == "Asia/Ho_Chi_Minh"
    assert settings.validation.max_age == 65
    assert settings.alerts.operator == ["json://127.0.0.1:8080/hook"]


def test_the_generated_config_lists_every_setting_and_sets_none():
    """The person-key secret is not in it either: init writes it into a file of its own (tests/test_preflight.py)."""
    text = render_config()
    parsed = tomllib.loads(text)
    assert parsed == {
        "paths": {},
        "schedule": {},
        "alerts": {},
        "privacy": {},
        "validation": {},
        "limits": {},
        "warehouse": {},
        "execution": {},
        "report": {},
        "province": {},
        "portal": {},
    }
    # A commented default, uncommented, is valid TOML of the right type (dates are bare TOML dates).
    uncommented = tomllib.loads(text.replace("# term_start = ", "term_start = "))
    assert str(uncommented["validation"]["term_start"]) == "2020-10-01"
    for section, field in Settings.model_fields.items():
        for key in field.annotation.model_fields:
            assert f"{key} = " in text, (section, key)


def test_a_memory_limit_duckdb_cannot_read_is_refused_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("STAFFQ_WAREHOUSE__MEMORY_LIMIT", "4 GB")
    assert load_settings(tmp_path).warehouse.memory_limit == "4 GB"
    monkeypatch.setenv("STAFFQ_WAREHOUSE__MEMORY_LIMIT", "half the machine")
    with pytest.raises(ValidationError, match=r"warehouse\.memory_limit"):
        load_settings(tmp_path)


def test_a_list_holds_the_rating_of_its_year_only_from_december():
    import datetime as dt

    from schemas.policy import Policy

    assert Policy().rating_year(dt.date(2024, 12, 31)) == 2024
    assert Policy().rating_year(dt.date(2025, 1, 15)) == 2024
    assert Policy(rating_month=1).rating_year(dt.date(2025, 1, 15)) == 2025
