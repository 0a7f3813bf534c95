"""xAPI account names are the keyed learner IDs (pseudonymous for real: not the public uuid5 of a
name), and statements exported before migration 6 (old IDs) merge into the re-keyed learner."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from test_reports_records_io import HOME, T0, learner_day

from widgets.records.identity import STAFF, legacy_learner_id, load_secret, validate_sign_in
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.interchange.merge import import_lines
from widgets.records.schema import answers, learner_aliases, learners
from widgets.records.store import Store

NAME, UNIT = "Lò Văn Thành", "Sở Nội vụ"


def statements(store: Store) -> list[dict]:
    text = "".join(iter_json_lines(export_statements(store.engine, home=HOME)))
    return [json.loads(line) for line in text.splitlines()]


def test_account_names_are_keyed_ids(make_store: Callable[[str], Store]) -> None:
    kiosk = make_store("kiosk")
    learner = learner_day(kiosk, NAME, UNIT, T0)
    entry = validate_sign_in(NAME, UNIT, STAFF)
    names = {s["actor"]["account"]["name"] for s in statements(kiosk)}
    assert names == {learner.id} == {entry.learner_id(load_secret(kiosk.data))}
    assert legacy_learner_id(None, entry.name_key, entry.unit_key) not in names


def test_an_export_from_before_the_keyed_ids_merges_into_the_rekeyed_learner(
    make_store: Callable[[str], Store],
) -> None:
    kiosk, trainer = make_store("kiosk"), make_store("trainer")
    on_kiosk = learner_day(kiosk, NAME, UNIT, T0)
    here = trainer.sign_in(NAME, UNIT, STAFF)  # the trainer's own, re-keyed, learner
    entry = validate_sign_in(NAME, UNIT, STAFF)
    old = legacy_learner_id(None, entry.name_key, entry.unit_key)
    with trainer.engine.begin() as conn:  # what migration 6 left on the trainer's machine
        conn.execute(learner_aliases.insert(), {"alias_id": old, "learner_id": here.id, "created_at": T0})
    text = "".join(iter_json_lines(export_statements(kiosk.engine, home=HOME, with_names=True)))
    before_6 = text.replace(on_kiosk.id, old)  # as an un-upgraded kiosk exported it
    import_lines(trainer.engine, before_6.splitlines())
    with trainer.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(learners)).scalar() == 1
        owners = set(conn.execute(sa.select(answers.c.learner_id)).scalars())
    assert owners == {here.id}
    assert datetime.now(UTC) > T0
