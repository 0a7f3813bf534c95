"""The stored mastery timelines (``widgets.records.timelines``, migration 8) are always what a fresh
replay of the evidence gives, whichever path wrote the evidence: module answers, scenario
choices, review answers and decisions, kiosk exports merged, a restored or migrated backup. And
the retention report read from them says what the old replay of every answer said
(``tests/reference/retention.py``). Both backends.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import retention as reference
from sqlalchemy.pool import NullPool

from widgets.content.course import load_course
from widgets.content.model import Course, Rating
from widgets.engine.mastery import MasteryState, mastery_map, outcomes, requirement_clauses
from widgets.engine.results import AnswerResult, ScenarioStep
from widgets.engine.timeline import timelines as replayed
from widgets.records import db, migrations, open_store, timelines
from widgets.records.backup import backup, restore
from widgets.records.config import sqlite_url
from widgets.records.identity import STAFF, load_secret, validate_sign_in
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.interchange.merge import import_lines
from widgets.records.schema import answers, retention_timelines
from widgets.records.statistics.filters import Filters
from widgets.records.store import Store
from widgets.reports.retention import retention

from db_backends import PG_URL

COURSE = load_course(Path(__file__).resolve().parents[2] / "content")
"""The kit's course: what the write paths compute under (``NEUGUONG_CONTENT`` is unset here)."""
T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
ON_MAP = set(requirement_clauses(COURSE.directive))
QUESTIONS = [q for q in COURSE.questions if q.cites][:12]
DECISIONS = [(s, n) for s in COURSE.scenarios for n in s.nodes if n.actions][:8]
NAMES = ("Lò Văn Một", "Cầm Thị Hai", "Quàng Văn Ba", "Hà Thị Bốn")


@pytest.fixture(autouse=True)
def kit_course(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEUGUONG_CONTENT", raising=False)


def stored(store: Store) -> dict[str, tuple[str, bytes, bytes]]:
    t = retention_timelines.c
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(t.learner_id, t.fingerprint, t.clauses, t.spans)).all()
    return {row[0]: (row[1], bytes(row[2]), bytes(row[3])) for row in found}


def assert_current(store: Store, course: Course = COURSE) -> None:
    """Every learner's stored row is a fresh replay's (a learner without evidence may have none)."""

    def fresh(conn: sa.Connection) -> dict[str, tuple[bytes, bytes]]:
        ids = list(conn.execute(sa.text("SELECT id FROM learners")).scalars())
        return timelines.compute(conn, course, ids)

    expected = db.read(store.engine, fresh)
    found = stored(store)
    fingerprint = timelines.fingerprint(course)
    for learner_id, (marks, spans) in expected.items():
        assert found.get(learner_id, (fingerprint, b"", b"")) == (fingerprint, marks, spans), learner_id
    assert set(found) <= set(expected)


def assert_report_agrees(store: Store, filters: Filters, now: datetime) -> None:
    old = reference.retention(store.engine, COURSE, filters, now=now)
    assert retention(store.statistics, COURSE, filters, now=now) == old


def answer(question_index: int, right: bool) -> AnswerResult:
    question = QUESTIONS[question_index]
    return AnswerResult(question.id, "x", float(right), 1.0, right, (), question.cites)


def step(decision_index: int, action_index: int) -> tuple[str, str, ScenarioStep]:
    scenario, node = DECISIONS[decision_index]
    action = node.actions[action_index % len(node.actions)]
    return scenario.id, COURSE.module_of(scenario.id).id, ScenarioStep(node.id, action.id, action.rating, "x")


WRITES = st.lists(
    st.tuples(
        st.sampled_from(("answer", "retry", "choice", "review_answer", "review_choice", "kiosk")),
        st.integers(0, len(NAMES) - 1),  # learner
        st.integers(0, len(QUESTIONS) - 1),
        st.integers(0, len(DECISIONS) - 1),
        st.integers(0, 3),  # action
        st.booleans(),  # right
        st.integers(0, 60 * 24 * 40),  # minutes after T0 (any order: a merged answer may be older)
        st.integers(0, 2),  # which attempt
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writes=WRITES)
def test_every_write_path_keeps_the_timelines_current(
    store: Store, tmp_path: Path, writes: list[tuple[str, int, int, int, int, bool, int, int]]
) -> None:
    kiosk = open_store(sqlite_url(tmp_path / "kiosk" / "records.sqlite"), data=store.data)  # the same secret
    code = uuid.uuid4().hex[:6].upper()
    people = [store.sign_in(name, "Sở Nội vụ", STAFF, f"CB-{code}{n}").id for n, name in enumerate(NAMES)]
    attempts: dict[tuple[object, ...], str] = {}  # an attempt is one learner's, of one kind and activity
    for kind, who, q, d, a, right, minutes, which in writes:
        learner_id, at = people[who], T0 + timedelta(minutes=minutes)
        activity = QUESTIONS[q].id if kind in ("answer", "retry") else DECISIONS[d][0].id
        attempt_id = attempts.setdefault((who, which, kind.startswith("review"), activity), str(uuid.uuid4()))
        if kind in ("answer", "retry"):
            question = QUESTIONS[q]
            store.record_answer(
                learner_id,
                attempt_id,
                COURSE.module_of(question.id).id,
                answer(q, right),
                try_no=2 if kind == "retry" else 1,  # a second try: no evidence
                answered_at=at,
            )
        elif kind == "choice":
            scenario_id, module_id, made = step(d, a)
            store.record_choice(learner_id, attempt_id, scenario_id, module_id, which, made, chosen_at=at)
        elif kind == "review_answer":
            module_id = COURSE.module_of(QUESTIONS[q].id).id
            store.record_review_answer(
                learner_id, attempt_id, answer(q, right), module_id=module_id, answered_at=at
            )
        elif kind == "review_choice":
            scenario_id, module_id, made = step(d, a)
            store.record_review_choice(learner_id, attempt_id, scenario_id, module_id, made, chosen_at=at)
        else:  # the learner answered on a kiosk; its whole export is merged
            there = kiosk.sign_in(NAMES[who], "Sở Nội vụ", STAFF, f"CB-{code}{who}").id
            assert there == learner_id
            question = QUESTIONS[q]
            kiosk.record_answer(
                there, str(uuid.uuid4()), COURSE.module_of(question.id).id, answer(q, right), answered_at=at
            )
            scenario_id, module_id, made = step(d, a)
            kiosk.record_choice(there, str(uuid.uuid4()), scenario_id, module_id, 0, made, chosen_at=at)
            import_lines(store.engine, iter_json_lines(export_statements(kiosk.engine)))
        assert_current(store)
    assert_report_agrees(store, Filters(), T0 + timedelta(days=45))
    assert_report_agrees(store, Filters(since=T0 + timedelta(days=3), until=T0 + timedelta(days=20)), T0)


def test_the_timelines_say_what_the_mastery_map_says(store: Store) -> None:
    """A learner's stored states at any moment are their 'Nắm vững' map's then."""
    learner_id = store.sign_in(NAMES[0], "Sở Nội vụ", STAFF).id
    at = T0
    for n in range(30):
        at += timedelta(hours=(3, 26, 0.2, 70, 170)[n % 5])
        question = QUESTIONS[n % 7]
        right = n % 4 != 1
        store.record_answer(
            learner_id,
            str(uuid.uuid4()),
            COURSE.module_of(question.id).id,
            answer(n % 7, right),
            answered_at=at,
        )
    evidence = outcomes(COURSE, store.answers(learner_id), store.choices(learner_id))
    kept = replayed(evidence)
    clause_ids = requirement_clauses(COURSE.directive)
    moment = T0
    while moment < at + timedelta(days=40):
        moment += timedelta(hours=7)
        known = mastery_map(clause_ids, [o for o in evidence if o.at < moment], moment)
        for item in known.clauses:
            line = kept.get(item.clause_id)
            assert (line.state_at(moment) if line else MasteryState.NEW) is item.state, (
                item.clause_id,
                moment,
            )
    assert_current(store)


def test_a_deleted_learner_takes_the_timelines_along(store: Store) -> None:
    learner_id = store.sign_in(NAMES[1], "Sở Nội vụ", STAFF).id
    question = QUESTIONS[0]
    store.record_answer(learner_id, str(uuid.uuid4()), COURSE.module_of(question.id).id, answer(0, True))
    assert learner_id in stored(store)
    store.delete_learner(learner_id)
    assert stored(store) == {}


def test_timelines_under_other_content_are_refreshed(store: Store) -> None:
    """A row computed under another course is stale: the report's refresh replaces it."""
    learner_id = store.sign_in(NAMES[2], "Sở Nội vụ", STAFF).id
    question = QUESTIONS[1]
    store.record_answer(
        learner_id, str(uuid.uuid4()), COURSE.module_of(question.id).id, answer(1, False), answered_at=T0
    )
    with store.engine.begin() as conn:
        conn.execute(retention_timelines.update().values(fingerprint="0" * 16, spans=b""))
    assert db.read(store.engine, lambda conn: timelines.stale_learners(conn, COURSE)) == [learner_id]
    assert_report_agrees(store, Filters(), T0 + timedelta(days=3))  # computed in the snapshot
    assert timelines.refresh_stale(store.engine, COURSE) == 0  # the report stored it already
    assert_current(store)


def test_without_a_readable_course_the_write_leaves_the_rows_stale(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    learner_id = store.sign_in(NAMES[3], "Sở Nội vụ", STAFF).id
    question = QUESTIONS[2]
    store.record_answer(
        learner_id, str(uuid.uuid4()), COURSE.module_of(question.id).id, answer(2, True), answered_at=T0
    )
    monkeypatch.setenv("NEUGUONG_CONTENT", str(tmp_path / "nowhere"))
    store.record_answer(
        learner_id, str(uuid.uuid4()), COURSE.module_of(question.id).id, answer(2, False), answered_at=T0
    )
    assert stored(store) == {}  # the answer is kept; its learner's row is dropped, not wrong
    assert len(store.answers(learner_id)) == 2
    assert_report_agrees(store, Filters(), T0 + timedelta(days=3))
    assert_current(store)


# ------------------------------------------------------------------- migration 8, restores


def version_7_store(url: str, data: Path) -> list[str]:
    """A database as version 7 left it: two learners with evidence, one without; their IDs."""
    engine = db.create_engine(url)
    assert migrations.upgrade(engine, target=7, secret=lambda: load_secret(data)) == 7
    md = sa.MetaData()
    md.reflect(engine)
    t = md.tables
    ids = []
    with engine.begin() as conn:
        for n, name in enumerate(NAMES[:3]):
            entry = validate_sign_in(name, "Sở Nội vụ", STAFF)
            learner_id = entry.learner_id(load_secret(data))
            ids.append(learner_id)
            conn.execute(
                t["learners"].insert(),
                {
                    "id": learner_id,
                    "full_name": entry.name,
                    "unit": entry.unit,
                    "role": entry.role,
                    "staff_code": None,
                    "name_key": entry.name_key,
                    "unit_key": entry.unit_key,
                    "created_at": T0,
                },
            )
            if n == 2:
                continue
            for k in range(6):
                attempt_id = str(uuid.uuid4())
                scenario, node = DECISIONS[k]
                action = node.actions[(n + k) % len(node.actions)]
                at = T0 + timedelta(days=k * 2, hours=n)
                conn.execute(
                    t["attempts"].insert(),
                    {"id": attempt_id, "learner_id": learner_id, "kind": "quiz", "activity_id": "m",
                     "module_id": "m", "started_at": at},
                )  # fmt: skip
                conn.execute(
                    t["answers"].insert(),
                    {"id": str(uuid.uuid4()), "attempt_id": attempt_id, "learner_id": learner_id,
                     "module_id": "m", "question_id": QUESTIONS[k].id, "try_no": 1, "response": '"x"',
                     "score": 1.0, "max_score": 1.0, "correct": (n + k) % 3 != 0,
                     "cites": json.dumps(list(QUESTIONS[k].cites)), "answered_at": at},
                )  # fmt: skip
                conn.execute(
                    t["scenario_choices"].insert(),
                    {"id": str(uuid.uuid4()), "attempt_id": attempt_id, "learner_id": learner_id,
                     "module_id": "m", "scenario_id": scenario.id, "step_no": 0, "node_id": node.id,
                     "action_id": action.id, "rating": action.rating.value, "next_node_id": "x",
                     "chosen_at": at + timedelta(minutes=5)},
                )  # fmt: skip
    engine.dispose()
    return ids


def test_migration_8_backfills_every_learner(db_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    ids = version_7_store(db_url, data)
    store = open_store(db_url, data=data)
    assert set(stored(store)) == set(ids)  # the one without evidence too (an empty row)
    assert stored(store)[ids[2]][1:] == (b"", b"")
    assert all(stored(store)[i][2] for i in ids[:2])
    assert_current(store)
    assert db.read(store.engine, lambda conn: timelines.stale_learners(conn, COURSE)) == []
    assert_report_agrees(store, Filters(), T0 + timedelta(days=30))


def test_migration_8_without_a_readable_course_leaves_them_to_the_report(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    version_7_store(db_url, data)
    monkeypatch.setenv("NEUGUONG_CONTENT", str(tmp_path / "nowhere"))
    store = open_store(db_url, data=data)
    assert stored(store) == {}
    monkeypatch.delenv("NEUGUONG_CONTENT")
    assert_report_agrees(store, Filters(), T0 + timedelta(days=30))
    assert_current(store)


@pytest.fixture
def target_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store of the same backend (as in ``test_backup.py``)."""
    if db_url.startswith("sqlite"):
        yield sqlite_url(tmp_path / "restored" / "records.sqlite")
        db.dispose_engines()
        return
    name = f"r_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(PG_URL, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(db_url).set(database=name)
    schema = url.query["options"].split("=")[-1]
    with sa.create_engine(url.set(query={}), poolclass=NullPool).begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        db.dispose_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_restored_version_7_backup_gets_its_timelines(db_url: str, target_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    version_7_store(db_url, data)
    copy = backup(db_url, tmp_path / "cu.backup")
    done = restore(target_url, copy.path, data=data)
    assert done.schema_version == migrations.CURRENT_VERSION
    restored = open_store(target_url, data=data)
    assert len(stored(restored)) == 3
    assert_current(restored)


def test_a_restore_refreshes_timelines_kept_under_other_content(
    db_url: str, target_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    store = open_store(db_url, data=data)
    learner_id = store.sign_in(NAMES[0], "Sở Nội vụ", STAFF).id
    store.record_answer(learner_id, str(uuid.uuid4()), "m", answer(3, False), answered_at=T0)
    scenario_id, module_id, made = step(0, 0)
    store.record_choice(learner_id, str(uuid.uuid4()), scenario_id, module_id, 0, made, chosen_at=T0)
    with store.engine.begin() as conn:  # as another course would have left them
        conn.execute(retention_timelines.update().values(fingerprint="f" * 16))
    copy = backup(db_url, tmp_path / "khac.backup")
    restore(target_url, copy.path, data=data)
    assert_current(open_store(target_url, data=data))


def test_a_violation_counts_wrong_and_a_node_without_cites_counts_its_own(store: Store) -> None:
    """The choice rules as stored: the first choice in a run counts, right unless a violation."""
    learner_id = store.sign_in(NAMES[1], "Sở Nội vụ", STAFF).id
    scenario, node = next(
        (s, n) for s, n in DECISIONS if any(a.rating is Rating.VIOLATION for a in n.actions)
    )
    bad = next(a for a in node.actions if a.rating is Rating.VIOLATION)
    good = next(a for a in node.actions if a.rating is not Rating.VIOLATION)
    run, module_id = str(uuid.uuid4()), COURSE.module_of(scenario.id).id
    store.record_choice(
        learner_id,
        run,
        scenario.id,
        module_id,
        0,
        ScenarioStep(node.id, bad.id, bad.rating, "x"),
        chosen_at=T0,
    )
    store.record_choice(
        learner_id,
        run,
        scenario.id,
        module_id,
        1,
        ScenarioStep(node.id, good.id, good.rating, "x"),
        chosen_at=T0 + timedelta(minutes=1),
    )
    kept = replayed(outcomes(COURSE, store.answers(learner_id), store.choices(learner_id)))
    cited = set(bad.cites or node.cites) & ON_MAP or set(kept)
    assert kept and all(kept[c].state_at(T0 + timedelta(hours=1)) is MasteryState.DUE for c in kept)
    assert set(kept) <= cited | {"doc"}
    assert_current(store)


def test_a_second_writer_of_one_learner_waits_and_sees_the_first(store: Store) -> None:
    """A refresh locks the learner first (PostgreSQL: ``FOR NO KEY UPDATE``; SQLite: the write
    lock), so a second writer's refresh waits for the first one's commit, then sees its answer."""
    import threading

    learner_id = store.sign_in(NAMES[0], "Sở Nội vụ", STAFF).id  # no row yet
    first_in, release, second_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def write(n: int) -> None:
        question = QUESTIONS[n]
        values = {
            "id": str(uuid.uuid4()), "attempt_id": attempt_id, "learner_id": learner_id,
            "module_id": "m", "question_id": question.id, "try_no": 1, "response": '"x"', "score": 0.0,
            "max_score": 1.0, "correct": False, "cites": json.dumps(list(question.cites)),
            "answered_at": T0 + timedelta(hours=n),
        }  # fmt: skip

        def run(conn: sa.Connection) -> None:
            db.insert_ignore(conn, answers, values)
            timelines.refresh(conn, [learner_id])
            if n == 0:
                first_in.set()
                assert release.wait(30)

        try:
            db.write(store.engine, run)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            if n == 1:
                second_done.set()

    attempt_id = store.start_attempt(learner_id, "m").id
    first = threading.Thread(target=write, args=(0,))
    first.start()
    assert first_in.wait(30)
    second = threading.Thread(target=write, args=(1,))
    second.start()
    assert not second_done.wait(1.0)  # waiting for the first writer
    release.set()
    first.join(60)
    second.join(60)
    assert not errors, errors
    assert len(store.answers(learner_id)) == 2
    assert_current(store)
