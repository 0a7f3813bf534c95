"""Migrations: an older database upgrades in place and keeps every record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.records import db, migrations, open_store
from widgets.records.errors import SchemaTooNewError
from widgets.records.identity import STAFF, validate_sign_in
from widgets.records.policy import FINAL_ID
from widgets.records.schema import metadata

T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)
LEARNER = validate_sign_in("Nguyễn Văn Cũ", "Sở Nội vụ", STAFF)
ATTEMPT = "11111111-1111-4111-8111-111111111111"
FINAL = "22222222-2222-4222-8222-222222222222"
ANSWER = "33333333-3333-4333-8333-333333333333"
CHOICE = "44444444-4444-4444-8444-444444444444"


def make_v1_database(url: str) -> None:
    """A database as version 1 of the kit left it, with a learner's records."""
    engine = db.create_engine(url)
    assert migrations.upgrade(engine, target=1) == 1
    md = sa.MetaData()
    md.reflect(engine)
    t = md.tables
    learner = LEARNER
    with engine.begin() as conn:
        conn.execute(
            t["learners"].insert(),
            {
                "id": learner.learner_id,
                "full_name": learner.name,
                "unit": learner.unit,
                "role": learner.role,
                "staff_code": None,
                "name_key": learner.name_key,
                "unit_key": learner.unit_key,
                "created_at": T0,
            },
        )
        common = {"learner_id": learner.learner_id, "kind": "quiz", "started_at": T0}
        conn.execute(
            t["attempts"].insert(),
            {**common, "id": ATTEMPT, "activity_id": "m1", "module_id": "m1"},
        )
        conn.execute(
            t["attempts"].insert(),
            {
                **common,
                "id": FINAL,
                "activity_id": FINAL_ID,
                "module_id": FINAL_ID,
                "finished_at": T0,
                "score": 9.0,
                "max_score": 10.0,
                "passed": True,
                "pass_mark": 80,
            },
        )
        conn.execute(
            t["answers"].insert(),
            {
                "id": ANSWER,
                "attempt_id": ATTEMPT,
                "learner_id": learner.learner_id,
                "module_id": "m1",
                "question_id": "m1.q1",
                "try_no": 1,
                "response": '["a","c"]',
                "score": 1.0,
                "max_score": 1.0,
                "correct": True,
                "cites": '["officials.1"]',
                "answered_at": T0,
            },
        )
        conn.execute(
            t["scenario_choices"].insert(),
            {
                "id": CHOICE,
                "attempt_id": ATTEMPT,
                "learner_id": learner.learner_id,
                "module_id": "m1",
                "scenario_id": "s1",
                "step_no": 0,
                "node_id": "n1",
                "action_id": "a",
                "rating": "best",
                "next_node_id": "n2",
                "chosen_at": T0,
            },
        )
    engine.dispose()


def test_version_1_upgrades_keeping_every_record(db_url: str, tmp_path: Path) -> None:
    make_v1_database(db_url)
    store = open_store(db_url, data=tmp_path)
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.CURRENT_VERSION
    learner = store.get_learner(LEARNER.learner_id)
    assert learner is not None and learner.full_name == "Nguyễn Văn Cũ"
    assert learner.created_at == T0
    opened = store.open_attempt(learner.id, "m1")
    assert opened is not None and opened.id == ATTEMPT
    assert opened.answers["m1.q1"].response == ("a", "c")
    assert opened.answers["m1.q1"].cites == ("officials.1",)
    assert store.export_learner(learner.id)["scenario_choices"][0]["id"] == CHOICE
    # the new tables work for the old learner
    assert store.sign_in("Nguyễn Văn Cũ", "Sở Nội vụ", STAFF).id == learner.id
    assert store.final_status(learner.id).passed
    cert = store.issue_certificate(learner.id)
    assert cert.attempt_id == FINAL and store.verify_certificate(cert.code).valid
    store.record_pledge(learner.id, "Tôi cam kết.")


def test_migrated_database_matches_schema_module(db_url: str) -> None:
    engine = db.get_engine(db_url)
    migrations.upgrade(engine)
    reflected = sa.MetaData()
    reflected.reflect(engine)
    assert set(reflected.tables) == set(metadata.tables)
    for name, table in metadata.tables.items():
        got = reflected.tables[name]
        assert [c.name for c in got.columns] == [c.name for c in table.columns], name
        assert {c.name: c.nullable for c in got.columns} == {c.name: c.nullable for c in table.columns}, name
        assert {c.name for c in got.primary_key} == {c.name for c in table.primary_key}, name
        assert {i.name for i in got.indexes if not i.unique} >= {
            i.name for i in table.indexes if not i.unique
        }, name


def test_indexes_hold_the_columns_the_schema_module_lists(db_url: str) -> None:
    """Migration 5's covering indexes (the dashboard reads them alone) and what they replaced."""
    engine = db.get_engine(db_url)
    migrations.upgrade(engine)
    inspector = sa.inspect(engine)
    for name, table in metadata.tables.items():
        got = {index["name"]: index["column_names"] for index in inspector.get_indexes(name)}
        for index in table.indexes:
            assert got.get(index.name) == [column.name for column in index.columns], (name, index.name)
    assert "ix_answers_attempt_id" not in {i["name"] for i in inspector.get_indexes("answers")}
    assert "ix_scenario_choices_node" not in {i["name"] for i in inspector.get_indexes("scenario_choices")}


def test_upgrade_is_idempotent_and_recorded(db_url: str) -> None:
    engine = db.get_engine(db_url)
    assert migrations.upgrade(engine) == migrations.CURRENT_VERSION
    assert migrations.upgrade(engine) == migrations.CURRENT_VERSION
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT version, applied_at FROM schema_version")).all()
    assert [row.version for row in rows] == [m.version for m in migrations.MIGRATIONS]


def test_a_newer_database_is_refused(db_url: str) -> None:
    engine = db.get_engine(db_url)
    migrations.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO schema_version VALUES (:v, 'from the future', :t)"),
            {"v": 99, "t": T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0},
        )
    with pytest.raises(SchemaTooNewError, match="phiên bản 99"):
        migrations.upgrade(engine)
