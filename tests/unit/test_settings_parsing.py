"""Settings: a whole number in AWS's range, or an error naming the variable; never a fallback."""
from __future__ import annotations

import pytest

from kmsguard.settings import ALL, MAX_ROTATION_PERIOD, MIN_DELETION_WINDOW, SettingsError, validate_all


@pytest.fixture(autouse=True)
def clean(monkeypatch):
    for setting in ALL:
        monkeypatch.delenv(setting.variable, raising=False)


@pytest.mark.parametrize("raw,expected", [(None, 7), ("", 7), ("  ", 7), ("14", 14), (" 30 ", 30), ("7", 7)])
def test_min_deletion_window(monkeypatch, raw, expected):
    if raw is not None:
        monkeypatch.setenv(MIN_DELETION_WINDOW.variable, raw)
    assert MIN_DELETION_WINDOW.read() == expected


@pytest.mark.parametrize("raw", ["6", "31", "7.5", "14.0", "1e1", "week", "-7", "0x0e", "true"])
def test_bad_min_deletion_window_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv(MIN_DELETION_WINDOW.variable, raw)
    with pytest.raises(SettingsError, match=MIN_DELETION_WINDOW.variable):
        MIN_DELETION_WINDOW.read()


@pytest.mark.parametrize("raw,ok", [("90", True), ("2560", True), ("365", True), ("89", False), ("2561", False)])
def test_max_rotation_period_bounds(monkeypatch, raw, ok):
    monkeypatch.setenv(MAX_ROTATION_PERIOD.variable, raw)
    if ok:
        assert MAX_ROTATION_PERIOD.read() == int(raw)
    else:
        with pytest.raises(SettingsError, match=MAX_ROTATION_PERIOD.variable):
            MAX_ROTATION_PERIOD.read()


def test_validate_all_stops_on_any_bad_setting(monkeypatch):
    validate_all()
    monkeypatch.setenv(MAX_ROTATION_PERIOD.variable, "yearly")
    with pytest.raises(SettingsError, match="KMSGUARD_MAX_ROTATION_PERIOD_DAYS='yearly'"):
        validate_all()
