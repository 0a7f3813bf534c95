"""Kiosk idle time: one setting for the page's idle reset and the session tokens' expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from widgets.runtime.kiosk import idle_seconds, is_kiosk, session_ttl, warning_seconds
from widgets.site.launch import CONFIG_ROOT


def load(mode: str) -> Config:
    return PyFileConfigLoader("voila.py", path=str(CONFIG_ROOT / mode)).load_config()


KIOSK = {"NEUGUONG_SITE_MODE": "kiosk"}


def test_default_is_three_minutes_with_a_twenty_second_warning() -> None:
    assert idle_seconds({}) == 180
    assert session_ttl(KIOSK) == timedelta(minutes=3)
    assert warning_seconds(180) == 20


def test_desk_sessions_live_two_hours_unused_by_default() -> None:
    assert session_ttl({}) == session_ttl({"NEUGUONG_SITE_MODE": "learner"}) == timedelta(hours=2)
    assert session_ttl({"NEUGUONG_SESSION_IDLE_SECONDS": "600"}) == timedelta(minutes=10)
    with pytest.raises(ValueError, match="NEUGUONG_SESSION_IDLE_SECONDS"):
        session_ttl({"NEUGUONG_SESSION_IDLE_SECONDS": "soon"})


def test_idle_time_comes_from_the_environment() -> None:
    env = {**KIOSK, "NEUGUONG_KIOSK_IDLE_SECONDS": " 45 "}
    assert idle_seconds(env) == 45 and session_ttl(env) == timedelta(seconds=45)
    assert warning_seconds(45) == 15 and warning_seconds(8) == 5


@pytest.mark.parametrize("raw", ["abc", "1.5", "0", "-3", "4"])
def test_bad_idle_time_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="NEUGUONG_KIOSK_IDLE_SECONDS"):
        idle_seconds({"NEUGUONG_KIOSK_IDLE_SECONDS": raw})


def test_only_the_kiosk_mode_is_a_kiosk() -> None:
    assert is_kiosk({"NEUGUONG_SITE_MODE": "kiosk"})
    assert not is_kiosk({"NEUGUONG_SITE_MODE": "learner"}) and not is_kiosk({})


def test_kiosk_config_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUGUONG_KIOSK_IDLE_SECONDS", "60")
    page = load("kiosk").VoilaConfiguration.resources["neuguong"]
    assert page["idle_reset_seconds"] == 60 and page["idle_warning_seconds"] == 20
    assert page["kiosk"] is True
    assert "kiosk" not in load("learner").VoilaConfiguration.resources["neuguong"]
