"""Migrations: an older database upgrades in place and keeps every record."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.records import certificates as certs
from widgets.records import db, migrations, open_store
from widgets.records.errors import RecordsError, SchemaTooNewError
from widgets.records.identity import STAFF, keyed_learner_id, legacy_learner_id, load_secret, validate_sign_in
from widgets.records.models import Certificate
from widgets.records.policy import FINAL_ID
from widgets.records.schema import metadata

T0 = datetime(2025, 1, 6, 3, 0, tzinfo=UTC)
LEARNER = validate_sign_in("Nguyễn Văn Cũ", "Sở Nội vụ", STAFF)
OLD_ID = legacy_learner_id(None, LEARNER.name_key, LEARNER.unit_key)
"""The public uuid5 ID versions 1-5 gave this learner; migration 6 re-keys it."""
CODED_OLD_ID = legacy_learner_id("CB-007", LEARNER.name_key, LEARNER.unit_key)
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
                "id": OLD_ID,
                "full_name": learner.name,
                "unit": learner.unit,
                "role": learner.role,
                "staff_code": None,
                "name_key": learner.name_key,
                "unit_key": learner.unit_key,
                "created_at": T0,
            },
        )
        common = {"learner_id": OLD_ID, "kind": "quiz", "started_at": T0}
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
                "learner_id": OLD_ID,
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
                "learner_id": OLD_ID,
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
    new_id = LEARNER.learner_id(load_secret(tmp_path))
    assert store.get_learner(OLD_ID) is None  # the public uuid5 opens nothing any more
    learner = store.get_learner(new_id)
    assert learner is not None and learner.full_name == "Nguyễn Văn Cũ"
    assert store.learner_by_alias(OLD_ID) == learner
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
    # the old learner has no PIN yet: they set one at their next sign-in
    assert not store.has_pin(learner.id)
    assert store.authenticate("Nguyễn Văn Cũ", "Sở Nội vụ", STAFF, None, "135790", "135790") == learner
    assert store.has_pin(learner.id)


def test_migration_6_refuses_to_run_without_the_secret(db_url: str) -> None:
    make_v1_database(db_url)
    engine = db.create_engine(db_url)
    with pytest.raises(RecordsError, match="khoá định danh"):
        migrations.upgrade(engine)
    with engine.connect() as conn:
        assert migrations.current_version(conn) == 1  # nothing half-done
    engine.dispose()


def test_migration_6_keeps_a_certificate_issued_before_verifiable(db_url: str, tmp_path: Path) -> None:
    """A certificate's code was made over the old learner ID: it still verifies after re-keying."""
    make_v1_database(db_url)
    engine = db.create_engine(db_url)
    migrations.upgrade(engine, target=5)
    issued = T0.replace(microsecond=0)
    draft = Certificate(CERT, OLD_ID, "", LEARNER.name, LEARNER.unit, LEARNER.role, 90.0, FINAL, issued)
    code = certs.make_code(certs.load_secret(tmp_path), certs.payload(draft.fields()))
    with engine.begin() as conn:
        conn.execute(
            metadata.tables["certificates"].insert(), {**draft.fields(), "code": code, "issued_at": issued}
        )
    engine.dispose()

    store = open_store(db_url, data=tmp_path)
    assert store.certificate(OLD_ID) is None
    moved = store.certificate(LEARNER.learner_id(load_secret(tmp_path)))
    assert moved is not None and moved.code == code
    assert store.verify_certificate(code).valid


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


# A record in every table the schema has had, by the migration that created the table (the
# columns of a table never change after it is created; later migrations add tables and indexes).
ROOM = "55555555-5555-4555-8555-555555555555"
CERT = "66666666-6666-4666-8666-666666666666"
PLEDGE = "77777777-7777-4777-8777-777777777777"
EVERY_TABLE_ROWS: dict[str, tuple[int, dict[str, object]]] = {
    "learners": (
        1,
        {
            "id": CODED_OLD_ID,
            "full_name": LEARNER.name,
            "unit": 'Trạm "Y tế" & <b>xã</b>',
            "role": LEARNER.role,
            "staff_code": "CB-007",
            "name_key": LEARNER.name_key,
            "unit_key": LEARNER.unit_key,
            "created_at": T0,
        },
    ),
    "attempts": (
        1,
        {
            "id": FINAL,
            "learner_id": CODED_OLD_ID,
            "kind": "quiz",
            "activity_id": FINAL_ID,
            "module_id": FINAL_ID,
            "started_at": T0,
            "finished_at": T0,
            "score": 9.0,
            "max_score": 10.0,
            "passed": True,
            "pass_mark": 80,
            "end_node_id": None,
        },
    ),
    "answers": (
        1,
        {
            "id": ANSWER,
            "attempt_id": FINAL,
            "learner_id": CODED_OLD_ID,
            "module_id": "m1",
            "question_id": "m1.q1",
            "try_no": 2,
            "response": '["a","c"]',
            "score": 0.5,
            "max_score": 1.0,
            "correct": False,
            "cites": '["officials.1"]',
            "answered_at": T0,
        },
    ),
    "scenario_choices": (
        1,
        {
            "id": CHOICE,
            "attempt_id": FINAL,
            "learner_id": CODED_OLD_ID,
            "module_id": "m1",
            "scenario_id": "s1",
            "step_no": 0,
            "node_id": "n1",
            "action_id": "a",
            "rating": "violation",
            "next_node_id": "n2",
            "chosen_at": T0,
        },
    ),
    "completions": (2, {"learner_id": CODED_OLD_ID, "module_id": "m1", "completed_at": T0}),
    "pledges": (
        2,
        {
            "id": PLEDGE,
            "learner_id": CODED_OLD_ID,
            "text": "Tôi cam kết …",
            "full_name": LEARNER.name,
            "unit": "Sở Nội vụ",
            "pledged_at": T0,
        },
    ),
    "certificates": (
        2,
        {
            "id": CERT,
            "learner_id": CODED_OLD_ID,
            "code": "NG-ABCD-1234",
            "full_name": LEARNER.name,
            "unit": "Sở Nội vụ",
            "role": LEARNER.role,
            "score_percent": 90.0,
            "attempt_id": FINAL,
            "issued_at": T0,
        },
    ),
    "rooms": (
        3,
        {
            "id": ROOM,
            "code": "K7P2QX",
            "title": "Buổi tập huấn",
            "focus": "question:m1.q1",
            "opened_at": T0,
            "closed_at": None,
        },
    ),
    "room_members": (3, {"room_id": ROOM, "learner_id": CODED_OLD_ID, "joined_at": T0}),
    "kiosk_sessions": (
        4,
        {"token_hash": "ab" * 32, "learner_id": CODED_OLD_ID, "started_at": T0, "expires_at": T0},
    ),
    "credentials": (
        6,
        {
            "learner_id": CODED_OLD_ID,
            "pin_hash": "cd" * 32,
            "pin_salt": "ef" * 16,
            "pin_params": "scrypt:32768:8:1",
            "pin_set_at": T0,
            "failed_tries": 2,
            "lockouts": 1,
            "locked_until": T0,
        },
    ),
    "learner_aliases": (6, {"alias_id": OLD_ID, "learner_id": CODED_OLD_ID, "created_at": T0}),
    "audit_events": (
        6,
        {"id": 1, "at": T0, "event": "sign_in", "learner_id": CODED_OLD_ID, "detail": '{"by":"x"}'},
    ),
    "signing_keys": (
        7,
        {
            "key_id": "0123456789abcdef",
            "public_key": "A" * 43 + "=",
            "origin": "import",
            "label": "kiosk-mai-son.jsonl",
            "added_at": T0,
            "revoked_at": None,
            "seal": "ab" * 32,
        },
    ),
    "certificate_signatures": (
        7,
        {"certificate_id": CERT, "key_id": "0123456789abcdef", "signature": "B" * 86 + "=="},
    ),
    "retention_timelines": (
        8,
        {"learner_id": CODED_OLD_ID, "fingerprint": "0123456789abcdef", "clauses": b"", "spans": b"\0" * 32},
    ),
}


def dump(engine: sa.Engine, names: list[str]) -> dict[str, list[tuple[object, ...]]]:
    with engine.connect() as conn:
        return {name: sorted(map(tuple, conn.execute(sa.select(metadata.tables[name])))) for name in names}


def test_the_rows_cover_every_table_and_column() -> None:
    assert set(EVERY_TABLE_ROWS) == set(metadata.tables) - {"schema_version"}
    for name, (_, row) in EVERY_TABLE_ROWS.items():
        assert list(row) == [c.name for c in metadata.tables[name].columns], name


def _rekeyed(
    rows: dict[str, list[tuple[object, ...]]], old: str, new: str
) -> dict[str, list[tuple[object, ...]]]:
    """``rows`` as migration 6 leaves them: the learner's ID re-keyed everywhere, sessions ended."""
    out = {
        name: sorted(tuple(new if v == old else v for v in row) for row in found)
        for name, found in rows.items()
    }
    if "kiosk_sessions" in out:
        out["kiosk_sessions"] = []
    return out


@pytest.mark.parametrize("version", range(1, migrations.CURRENT_VERSION))
def test_every_earlier_version_upgrades_keeping_every_row(db_url: str, tmp_path: Path, version: int) -> None:
    """A database left by version ``version`` (the previous one included), a row in each of its
    tables: after the upgrade every row is there, value for value (before version 6, under the
    learner's keyed ID, sessions ended), and the learner's export has it."""
    engine = db.create_engine(db_url)
    assert migrations.upgrade(engine, target=version) == version
    present = [name for name, (since, _) in EVERY_TABLE_ROWS.items() if since <= version]
    assert set(present) == set(sa.inspect(engine).get_table_names()) - {"schema_version"}
    with engine.begin() as conn:
        for name in present:
            conn.execute(metadata.tables[name].insert(), EVERY_TABLE_ROWS[name][1])
    before = dump(engine, present)
    assert all(len(rows) == 1 for rows in before.values())
    engine.dispose()

    store = open_store(db_url, data=tmp_path)
    with store.engine.connect() as conn:
        assert migrations.current_version(conn) == migrations.CURRENT_VERSION
    learner_id = CODED_OLD_ID
    if version < 6:
        learner_id = keyed_learner_id(load_secret(tmp_path), "CB-007", LEARNER.name_key, LEARNER.unit_key)
        before = _rekeyed(before, CODED_OLD_ID, learner_id)
        assert store.learner_by_alias(CODED_OLD_ID) is not None
    assert dump(store.engine, present) == before
    exported = store.export_learner(learner_id)
    assert exported["learner"]["unit"] == 'Trạm "Y tế" & <b>xã</b>'
    for name in present:
        if name in ("kiosk_sessions",) and version < 6:
            assert exported[name] == [], name  # sessions end at the upgrade
        elif name not in ("learners", "rooms", "audit_events", "signing_keys", "certificate_signatures"):
            # the learner's rows, and only theirs (keys and signatures belong to certificates)
            assert len(exported[name]) == 1, name
    assert store.sign_in(LEARNER.name, "x", STAFF, "cb-007").id == learner_id
