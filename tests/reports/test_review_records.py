"""Review records (issue 20): saved per answer, resumable, exported as xAPI under their own
activity type, merged from two kiosks without duplicates; never a module's or the final's attempt.
Runs on SQLite and, when configured, PostgreSQL (tests/db_backends.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from widgets.content.model import Course, Rating
from widgets.engine.progress import requirements_for
from widgets.engine.results import AnswerResult, ScenarioStep
from widgets.records.identity import STAFF, load_secret, write_secret
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.interchange.merge import import_file
from widgets.records.models import Learner
from widgets.records.queries import REVIEW, REVIEW_ID
from widgets.records.schema import answers, attempts, scenario_choices
from widgets.records.store import Store

HOME = "https://hoc.example.vn/neu-guong"
T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
TABLES = (attempts, answers, scenario_choices)


def ticking(start: datetime) -> Callable[[], datetime]:
    moment = [start]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=5)
        return moment[0]

    return clock


def review_day(store: Store, name: str, start: datetime, *, finish: bool = True) -> tuple[Learner, str]:
    """Sign in and review: two answers (one wrong), one scenario decision, then finish."""
    store.clock = ticking(start)
    learner = store.sign_in(name, "Sở Nội vụ", STAFF)
    review = store.start_review(learner.id)
    wrong = AnswerResult("m04-ve-som", "b", 0.0, 1.0, False, (), ("officials.1",))
    right = AnswerResult("m08-khi-nao", "a", 1.0, 1.0, True, (), ("oversight",))
    store.record_review_answer(learner.id, review.id, wrong, module_id="thoi-gio-5-ro")
    store.record_review_answer(learner.id, review.id, right, module_id="thanh-tra-giam-sat")
    step = ScenarioStep("n1", "a2", Rating.VIOLATION, "n2")
    store.record_review_choice(learner.id, review.id, "s1", "thoi-gio-5-ro", step)
    if finish:
        store.finish_review(learner.id, review.id, 1.0, 3.0)
    return learner, review.id


def snapshot(store: Store) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(sa.select(t))) for t in TABLES}


def export_text(store: Store, **kw: object) -> str:
    return "".join(iter_json_lines(export_statements(store.engine, home=HOME, **kw)))  # type: ignore[arg-type]


def test_a_review_is_saved_per_answer_and_resumable(store: Store, real_course: Course) -> None:
    learner, review_id = review_day(store, "Lò Văn Ôn", T0, finish=False)
    opened = store.open_review(learner.id)
    assert opened is not None and opened.attempt.id == review_id
    assert opened.attempt.kind == REVIEW and opened.attempt.activity_id == REVIEW_ID
    assert set(opened.answers) == {"m04-ve-som", "m08-khi-nao"}
    assert [(s.node_id, s.action_id) for s in opened.steps] == [("n1", "a2")]
    assert [c.scenario_id for c in store.choices(learner.id)] == ["s1"]
    # the same answer written again (a retry) changes nothing
    again = AnswerResult("m04-ve-som", "b", 0.0, 1.0, False, (), ("officials.1",))
    first_id = store.answers(learner.id)[0].id
    store.record_review_answer(learner.id, review_id, again, module_id="thoi-gio-5-ro", answer_id=first_id)
    assert len(store.answers(learner.id)) == 2
    store.finish_review(learner.id, review_id, 1.0, 3.0)
    assert store.open_review(learner.id) is None
    # a review never counts as a module's quiz or the final
    progress = store.progress(learner.id, requirements_for(real_course))
    assert all(state.value != "complete" for state in progress.states.values())
    assert progress.final.best is None and not progress.final.passed
    assert store.final_status(learner.id).attempts == ()


def test_reviews_export_under_their_own_activity_type(store: Store) -> None:
    review_day(store, "Lò Văn Ôn", T0)
    lines = [json.loads(line) for line in export_text(store).splitlines()]
    mine = [s for s in lines if s["context"]["extensions"].get(f"{HOME}/xapi/extensions/attempt")]
    assert len(mine) == 5  # attempted, two answers, one choice, completed
    for statement in mine:
        parent = statement["context"]["contextActivities"]["parent"][0]["id"]
        assert parent == f"{HOME}/activities/review/review"
    started = next(s for s in mine if s["verb"]["id"].endswith("attempted"))
    assert started["object"]["definition"]["type"] == f"{HOME}/xapi/activity-types/review"
    assert "assessment" not in started["object"]["definition"]["type"]
    done = next(s for s in mine if s["verb"]["id"].endswith("completed"))
    assert done["object"]["id"] == f"{HOME}/activities/review/review"


def test_reviews_from_two_kiosks_merge_without_duplicates(
    make_store: Callable[[str], Store], tmp_path: Path, real_course: Course
) -> None:
    kiosks = [make_store("kiosk1"), make_store("kiosk2")]
    write_secret(kiosks[1].data, load_secret(kiosks[0].data), replace=True)  # kiosk-setup
    chung, _ = review_day(kiosks[0], "Quàng Văn Chung", T0)
    review_day(kiosks[0], "Lò Thị Hai", T0 + timedelta(hours=1), finish=False)  # left open
    review_day(kiosks[1], "Quàng Văn Chung", T0 + timedelta(days=1))  # same learner, 2nd kiosk
    files = []
    for n, kiosk in enumerate(kiosks, start=1):
        full = tmp_path / f"kiosk{n}.jsonl"
        full.write_text(export_text(kiosk), encoding="utf-8")
        since = tmp_path / f"kiosk{n}-since.jsonl"  # overlapping with the full export
        since.write_text(export_text(kiosk, since=T0 + timedelta(minutes=30)), encoding="utf-8")
        files += [full, since]
    trainer = make_store("trainer")
    reports = [import_file(trainer.engine, path) for path in files]
    assert all(report.errors == [] for report in reports)
    merged = snapshot(trainer)
    for table in TABLES:
        expected = sorted(row for kiosk in kiosks for row in snapshot(kiosk)[table.name])
        assert merged[table.name] == expected, table.name  # every row once, none lost
    assert len(merged["attempts"]) == 3 and len(merged["answers"]) == 6
    assert {row[2] for row in merged["attempts"]} == {REVIEW}
    assert len({row[1] for row in merged["attempts"]}) == 2  # Chung is one learner from two kiosks
    assert len([a for a in trainer.attempts(chung.id) if a.kind == REVIEW and a.finished]) == 2
    progress = trainer.progress(chung.id, requirements_for(real_course))
    assert progress.final.best is None  # reviews are not final attempts
    assert all(not import_file(trainer.engine, path).changed for path in files)
