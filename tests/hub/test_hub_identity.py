"""JupyterHub identity without a Hub: the keyed Hub learner ID, the user read from the server's
environment only, the profile saved once without a PIN, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from widgets.records import audit, hub, identity
from widgets.records.errors import SignInError
from widgets.records.store import Store, open_store
from widgets.runtime import hub as runtime_hub
from widgets.runtime.mode import MODE_ENV

from db_backends import BACKENDS, database

SECRET_A = bytes(range(32))
SECRET_B = bytes(range(1, 33))
ROLE = identity.STAFF


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    for url in database(request.param, tmp_path):
        yield open_store(url, data=tmp_path / "data")


def test_hub_learner_id_is_keyed_by_the_installation_secret() -> None:
    first = identity.hub_learner_id(SECRET_A, "an")
    assert first == identity.hub_learner_id(SECRET_A, "an")  # kiosks and servers agree
    assert uuid.UUID(first).version == 8
    assert first != identity.hub_learner_id(SECRET_B, "an")  # not derivable without the secret
    assert first != identity.hub_learner_id(SECRET_A, "binh")
    # never the ID of a name/unit or staff-code learner, whatever they typed
    assert first != identity.keyed_learner_id(SECRET_A, None, "an", "")
    assert first != identity.keyed_learner_id(SECRET_A, "AN", "", "")
    assert first != identity.legacy_learner_id(None, "an", "")
    with pytest.raises(ValueError):
        identity.hub_learner_id(SECRET_A, " ")
    with pytest.raises(ValueError):
        identity.hub_learner_id(b"short", "an")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("an", "an"), ("nguyen.van.an@so-noi-vu", "nguyen.van.an@so-noi-vu"), ("", None), ("a b", None),
     ("a\x00b", None), ("x" * 256, None)],
)  # fmt: skip
def test_hub_user_comes_from_the_environment(value: str, expected: str | None) -> None:
    assert runtime_hub.read_hub_user({runtime_hub.HUB_USER_ENV: value}) == expected
    assert runtime_hub.read_hub_user({"QUERY_STRING": f"JUPYTERHUB_USER={value}"}) is None


def test_hub_user_is_read_once_when_the_kit_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A variable set after the kit was loaded (as a preheated kernel receives the request's
    variables) does not change the user."""
    before = runtime_hub.hub_user()
    monkeypatch.setenv(runtime_hub.HUB_USER_ENV, "mallory")
    assert runtime_hub.hub_user() == before


def test_profile_is_saved_once_under_the_keyed_id(store: Store) -> None:
    assert hub.hub_learner(store, "an") is None
    learner = hub.save_hub_profile(store, "an", "  Nguyễn  Văn An ", "Sở Nội vụ", ROLE)
    assert learner.id == identity.hub_learner_id(store.identity_secret, "an")
    assert (learner.full_name, learner.unit, learner.staff_code) == ("Nguyễn Văn An", "Sở Nội vụ", None)
    assert hub.hub_learner(store, "an") == learner
    again = hub.save_hub_profile(store, "an", "Người Khác", "Đơn vị khác", ROLE)
    assert again == learner  # the profile is filled once
    assert hub.hub_learner(store, "binh") is None
    events = [(e.event, e.learner_id, e.detail) for e in store.audit_events()]
    assert events.count((audit.SIGN_IN_NEW, learner.id, '{"via":"jupyterhub"}')) == 1


def test_profile_fields_are_validated(store: Store) -> None:
    with pytest.raises(SignInError) as refused:
        hub.save_hub_profile(store, "an", "<script>", "Sở Nội vụ", ROLE)
    assert refused.value.field == "name"
    assert hub.hub_learner(store, "an") is None


def test_a_sign_in_form_cannot_take_over_a_hub_learner(store: Store) -> None:
    """The same name and unit typed into a PIN sign-in form (a site not behind the Hub, same
    database) never sets a first PIN on the Hub learner, nor reaches their records."""
    learner = hub.save_hub_profile(store, "an", "Nguyễn Văn An", "Sở Nội vụ", ROLE)
    for _ in range(3):
        with pytest.raises(SignInError):
            store.authenticate("Nguyễn Văn An", "Sở Nội vụ", ROLE, None, "123456", "123456")
    assert hub.hub_learner(store, "an") == learner


def test_a_pin_reset_does_not_open_a_hub_learner_to_the_sign_in_form(store: Store) -> None:
    """A trainer's reset removes the mark; the Hub user's next page puts it back."""
    learner = hub.save_hub_profile(store, "an", "Nguyễn Văn An", "Sở Nội vụ", ROLE)
    store.reset_pin(learner.id)
    assert not store.has_pin(learner.id)
    assert hub.hub_learner(store, "an") == learner
    with pytest.raises(SignInError):
        store.authenticate("Nguyễn Văn An", "Sở Nội vụ", ROLE, None, "123456", "123456")


@pytest.mark.parametrize("mode", ["kiosk", "trainer"])
def test_a_kiosk_or_the_trainer_site_never_takes_a_hub_identity(mode: str) -> None:
    environ = {runtime_hub.HUB_USER_ENV: "an", MODE_ENV: mode}
    assert runtime_hub.read_hub_user(environ) is None
    assert runtime_hub.read_hub_user({**environ, MODE_ENV: "learner"}) == "an"


def test_a_hub_sign_in_is_audited_once_per_working_session(store: Store) -> None:
    learner = hub.save_hub_profile(store, "an", "Nguyễn Văn An", "Sở Nội vụ", ROLE)
    hour = timedelta(hours=1)
    assert not hub.note_sign_in(store, learner.id, within=hour)  # the profile was just created
    start = store.clock()
    store.clock = lambda: start + timedelta(hours=2)
    assert hub.note_sign_in(store, learner.id, within=hour)
    assert not hub.note_sign_in(store, learner.id, within=hour)  # the next page: not again
    events = [(e.event, e.detail) for e in store.audit_events(learner_id=learner.id)]
    assert events == [(audit.SIGN_IN, '{"via":"jupyterhub"}'), (audit.SIGN_IN_NEW, '{"via":"jupyterhub"}')]
