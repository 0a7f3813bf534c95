"""The store API on both backends: sign-in, answers, resume, progress, final, pledge."""

from __future__ import annotations

import threading
import time
import unicodedata
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.pool import NullPool

from widgets.content.model import Rating
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.records import ModuleState, Requirement, requirements_for
from widgets.records.errors import (
    AttemptLimitError,
    CertificateError,
    NotFoundError,
    RecordsError,
    SignInError,
)
from widgets.records.identity import LEADER, STAFF
from widgets.records.policy import COURSE_TZ, FINAL_ID, local_day
from widgets.records.schema import answers, learners, scenario_choices
from widgets.records.store import Store

from records_helpers import Clock


def answer(qid: str, score: float = 1.0, response: object = "a") -> AnswerResult:
    return AnswerResult(qid, response, score, 1.0, score == 1.0, ("fb",), ("officials.1",))  # type: ignore[arg-type]


def count(store: Store, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.count()).select_from(table).where(*where)
    with store.engine.connect() as conn:
        return conn.execute(query).scalar_one()


def take_quiz(store: Store, learner_id: str, quiz_id: str, score: float, n: int = 4) -> str:
    attempt = store.start_attempt(learner_id, quiz_id)
    results = []
    for i in range(n):
        result = answer(f"q{i}", 1.0 if i < score * n else 0.0)
        store.record_answer(learner_id, attempt.id, quiz_id, result, module_id="m1")
        results.append(result)
    store.finish_quiz(learner_id, QuizResult(quiz_id, attempt.id, tuple(results), 80))
    return attempt.id


def run_scenario(store: Store, learner_id: str, scenario_id: str, module_id: str) -> str:
    run = store.start_scenario(learner_id, scenario_id, module_id)
    steps = (ScenarioStep("n1", "a1", Rating.BEST, "n2"), ScenarioStep("n2", "b", Rating.BEST, "end"))
    for i, step in enumerate(steps):
        store.record_choice(learner_id, run.id, scenario_id, module_id, i, step)
    store.finish_scenario(learner_id, run.id, module_id, ScenarioResult(scenario_id, steps, "end", 4, 4))
    return run.id


# ------------------------------------------------------------------------ sign-in


def test_sign_in_finds_the_same_learner_again(store: Store) -> None:
    first = store.sign_in("Nguyễn Văn An", "Sở Nội vụ", LEADER)
    again = store.sign_in(unicodedata.normalize("NFD", " nguyễn  VĂN an "), "sở nội vụ", LEADER)
    assert again.id == first.id
    assert again.full_name == "Nguyễn Văn An"  # the first spelling is kept
    assert first.created_at.tzinfo is not None
    other = store.sign_in("Nguyễn Văn An", "Sở Tư pháp", LEADER)
    assert other.id != first.id
    assert store.get_learner(first.id) == first


def test_role_changes_are_kept(store: Store) -> None:
    first = store.sign_in("Lò Thị Mai", "Sở Y tế", STAFF)
    assert store.sign_in("Lò Thị Mai", "Sở Y tế", LEADER).role == LEADER
    assert store.get_learner(first.id).role == LEADER  # type: ignore[union-attr]


def test_staff_code_identifies_a_learner(store: Store) -> None:
    coded = store.sign_in("Cầm Văn Sơn", "Sở Tài chính", STAFF, "TC-001")
    assert store.sign_in("Cầm Văn Sơn", "Sở Tài chính", STAFF, "tc-001").id == coded.id
    # the code alone is enough, whatever name is typed with it
    assert store.sign_in("Cầm V. Sơn", "Sở Tài chính", STAFF, "TC-001").id == coded.id
    # forgetting the code still finds the only learner of that name and unit
    assert store.sign_in("Cầm Văn Sơn", "Sở Tài chính", STAFF).id == coded.id
    # a namesake with another code is another person; now the name alone is ambiguous
    namesake = store.sign_in("Cầm Văn Sơn", "Sở Tài chính", STAFF, "TC-002")
    assert namesake.id != coded.id
    with pytest.raises(SignInError, match="mã cán bộ") as caught:
        store.sign_in("Cầm Văn Sơn", "Sở Tài chính", STAFF)
    assert caught.value.field == "staff_code"
    assert {x.id for x in store.find_learners(name="cầm văn sơn", unit="Sở Tài chính")} == {
        coded.id,
        namesake.id,
    }


BAD_NAMES = ["", "   ", "A" * 10_000, "<script>alert(1)</script>", 'Nguyễn "An"', "x'; --", "😀"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_names_never_reach_the_database(store: Store, name: str) -> None:
    with pytest.raises(SignInError) as caught:
        store.sign_in(name, "Sở Nội vụ", STAFF)
    assert caught.value.message
    assert count(store, learners) == 0


@pytest.mark.parametrize(
    "unit",
    [
        "<script>alert('x')</script>",
        "'; DROP TABLE learners; --",
        'Phòng "Một cửa" \\ huyện',
        "Robert'); DELETE FROM answers WHERE ('1'='1",
        unicodedata.normalize("NFD", "UBND xã Chiềng Mung (huyện Mai Sơn)"),
    ],
)
def test_hostile_units_are_stored_faithfully(store: Store, unit: str) -> None:
    learner = store.sign_in("Hà Văn Tú", unit, STAFF)
    stored = store.get_learner(learner.id)
    assert stored is not None and stored.unit == unicodedata.normalize("NFC", unit)
    assert store.sign_in("Hà Văn Tú", unit, STAFF).id == learner.id
    assert count(store, learners) == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=60), unit=st.text(min_size=1, max_size=60))
def test_any_sign_in_is_stored_faithfully_or_refused(store: Store, name: str, unit: str) -> None:
    try:
        learner = store.sign_in(name, unit, STAFF)
    except SignInError as error:
        assert error.message
        return
    stored = store.get_learner(learner.id)
    assert stored == learner
    assert unicodedata.is_normalized("NFC", learner.full_name + learner.unit)


# ------------------------------------------------------------------------ answers


def test_repeated_writes_are_harmless(store: Store) -> None:
    learner = store.sign_in("Quàng Văn Minh", "Sở Xây dựng", STAFF)
    attempt_id = str(uuid.uuid4())
    answer_id = str(uuid.uuid4())
    for _ in range(3):
        assert store.start_attempt(learner.id, "m1", attempt_id=attempt_id).id == attempt_id
        assert store.record_answer(learner.id, attempt_id, "m1", answer("q1"), answer_id=answer_id)
    assert count(store, answers) == 1
    choice_id = str(uuid.uuid4())
    run_id = str(uuid.uuid4())
    step = ScenarioStep("n1", "a", Rating.ACCEPTABLE, "n2")
    for _ in range(2):
        store.record_choice(learner.id, run_id, "s1", "m1", 0, step, choice_id=choice_id)
    assert count(store, scenario_choices) == 1
    assert len(store.attempts(learner.id)) == 2


def test_answers_without_a_started_attempt_create_it(store: Store) -> None:
    learner = store.sign_in("Lường Thị Hoa", "Sở Y tế", STAFF)
    attempt_id = str(uuid.uuid4())
    store.record_answer(learner.id, attempt_id, "m1", answer("q1"))
    (attempt,) = store.attempts(learner.id)
    assert (attempt.id, attempt.kind, attempt.activity_id, attempt.finished) == (
        attempt_id,
        "quiz",
        "m1",
        False,
    )


def test_answers_keep_everything_item_analysis_needs(store: Store) -> None:
    learner = store.sign_in("Sa Văn Khiêm", "Sở Công Thương", STAFF)
    attempt = store.start_attempt(learner.id, FINAL_ID)
    pairs = (("p1", "Đúng"), ("p2", "Sai"))
    result = AnswerResult("m3.q7", pairs, 0.5, 2.0, False, ("x",), ("heads.2", "officials.1"))
    store.record_answer(learner.id, attempt.id, FINAL_ID, result, module_id="m3", try_no=1)
    (stored,) = store.answers(learner.id)
    assert stored.to_result() == AnswerResult("m3.q7", pairs, 0.5, 2.0, False, (), ("heads.2", "officials.1"))
    assert (stored.attempt_id, stored.module_id, stored.try_no) == (attempt.id, "m3", 1)
    assert stored.answered_at.tzinfo is not None and stored.answered_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "response",
    ["", "'; DROP TABLE answers; --", "<img src=x onerror=alert(1)>", "😀\x00\ud800", ("b", "c")],
)
def test_responses_round_trip_exactly(store: Store, response: object) -> None:
    learner = store.sign_in("Mùa A Páo", "UBND huyện Bắc Yên", STAFF)
    attempt = store.start_attempt(learner.id, "m1")
    store.record_answer(learner.id, attempt.id, "m1", answer("q1", 0.0, response))
    assert store.latest_answers(attempt.id)["q1"].response == response


def test_an_attempt_belongs_to_one_learner(store: Store) -> None:
    one = store.sign_in("Giàng A Dình", "UBND huyện Mộc Châu", STAFF)
    two = store.sign_in("Giàng A Lử", "UBND huyện Mộc Châu", STAFF)
    attempt = store.start_attempt(one.id, "m1")
    with pytest.raises(RecordsError):
        store.record_answer(two.id, attempt.id, "m1", answer("q1"))
    with pytest.raises(NotFoundError):
        store.start_attempt(str(uuid.uuid4()), "m1")
    with pytest.raises(ValueError, match="UUID"):
        store.record_answer(one.id, "not-a-uuid", "m1", answer("q1"))
    assert count(store, answers) == 0


def test_resume_gives_the_latest_answer_per_question(store: Store, clock: Clock) -> None:
    learner = store.sign_in("Vì Văn Thanh", "Sở Nội vụ", STAFF)
    assert store.open_attempt(learner.id, "m1") is None
    attempt = store.start_attempt(learner.id, "m1")
    store.record_answer(learner.id, attempt.id, "m1", answer("q1", 0.0, "b"), try_no=1)
    store.record_answer(learner.id, attempt.id, "m1", answer("q1", 1.0, "a"), try_no=2)
    store.record_answer(learner.id, attempt.id, "m1", answer("q2", 0.0, "c"))
    other = store.start_attempt(learner.id, "m2")
    store.record_answer(learner.id, other.id, "m2", answer("q3"))

    opened = store.open_attempt(learner.id, "m1")
    assert opened is not None and opened.id == attempt.id
    assert {qid: a.response for qid, a in opened.answers.items()} == {"q1": "a", "q2": "c"}
    assert opened.answers["q1"].try_no == 2

    result = QuizResult("m1", attempt.id, (answer("q1"), answer("q2", 0.0)), 80)
    finished = store.finish_quiz(learner.id, result)
    assert finished.finished and finished.passed is False and finished.percent == 50.0
    assert store.finish_quiz(learner.id, result).finished_at == finished.finished_at
    assert store.open_attempt(learner.id, "m1") is None


def test_scenario_runs_resume_and_finish(store: Store) -> None:
    learner = store.sign_in("Tòng Văn Ngọc", "Sở Nội vụ", STAFF)
    run = store.start_scenario(learner.id, "s1", "m1")
    step0 = ScenarioStep("n1", "a2", Rating.VIOLATION, "n3")
    store.record_choice(learner.id, run.id, "s1", "m1", 0, step0)
    opened = store.open_attempt(learner.id, "s1")
    assert opened is not None and [s.to_step() for s in opened.steps] == [step0]
    with pytest.raises(ValueError):
        store.finish_scenario(learner.id, run.id, "m1", ScenarioResult("s1", (step0,), None, 0, 4))
    done = store.finish_scenario(learner.id, run.id, "m1", ScenarioResult("s1", (step0,), "bad-end", 0, 4))
    assert done.end_node_id == "bad-end" and done.passed is None
    assert store.open_attempt(learner.id, "s1") is None


# ----------------------------------------------------------------------- progress


REQS = (
    Requirement("m1", "m1", ("s1",)),
    Requirement("m2", "m2", ()),
    Requirement("m3", None, ("s3a", "s3b")),
)


def test_module_states(store: Store) -> None:
    learner = store.sign_in("Bạc Cầm Thuận", "Sở Nội vụ", STAFF)
    progress = store.progress(learner.id, REQS)
    assert dict(progress.states) == dict.fromkeys(("m1", "m2", "m3"), ModuleState.NOT_STARTED)
    assert not progress.modules_complete

    take_quiz(store, learner.id, "m1", 1.0)
    run_scenario(store, learner.id, "s3a", "m3")
    states = store.progress(learner.id, REQS).states
    assert states["m1"] is ModuleState.IN_PROGRESS  # quiz passed, scenario not run
    assert states["m3"] is ModuleState.IN_PROGRESS  # one of two scenarios finished

    run_scenario(store, learner.id, "s1", "m1")
    take_quiz(store, learner.id, "m2", 0.5)  # failed
    states = store.progress(learner.id, REQS).states
    assert states["m1"] is ModuleState.COMPLETE
    assert states["m2"] is ModuleState.IN_PROGRESS

    take_quiz(store, learner.id, "m2", 1.0)
    run_scenario(store, learner.id, "s3b", "m3")
    progress = store.progress(learner.id, REQS)
    assert set(progress.states.values()) == {ModuleState.COMPLETE}
    assert progress.modules_complete

    # a completion once recorded stays, even if the module gains a requirement later
    grown = (Requirement("m1", "m1", ("s1", "s-new")), *REQS[1:])
    assert store.progress(learner.id, grown).states["m1"] is ModuleState.COMPLETE
    other = store.sign_in("Bạc Cầm Thuận", "Sở Y tế", STAFF)
    assert store.progress(other.id, grown).states["m1"] is ModuleState.NOT_STARTED


def test_requirements_from_a_course(course: object) -> None:
    requirements = requirements_for(course)
    modules = {m.id: m for m in course.modules}  # type: ignore[attr-defined]
    assert requirements
    for req in requirements:
        module = modules[req.module_id]
        assert str(module.kind) != "assessment"
        assert req.quiz_id == (module.id if module.questions else None)
        assert req.scenario_ids == tuple(s.id for s in module.scenarios)


# ------------------------------------------------------------------ final policy


def test_final_attempts_are_limited_per_day_in_son_la_time(store: Store, clock: Clock) -> None:
    """At most 3 final attempts per calendar day in Asia/Ho_Chi_Minh; resets at midnight."""
    learner = store.sign_in("Lù Văn Chung", "UBND huyện Sốp Cộp", STAFF)
    clock.set(datetime(2025, 3, 10, 16, 0, tzinfo=UTC))  # 23:00 in Sơn La
    for _ in range(3):
        store.start_attempt(learner.id, FINAL_ID)
    status = store.final_status(learner.id)
    assert (status.attempts_today, status.attempts_left_today) == (3, 0)
    assert status.next_day_starts == datetime(2025, 3, 10, 17, 0, tzinfo=UTC)
    with pytest.raises(AttemptLimitError, match="tối đa 3 lần"):
        store.start_attempt(learner.id, FINAL_ID)
    with pytest.raises(AttemptLimitError):  # nor by answering into a new attempt
        store.record_answer(learner.id, str(uuid.uuid4()), FINAL_ID, answer("q1"))
    # practice quizzes have no limit
    for _ in range(4):
        store.start_attempt(learner.id, "m1")

    clock.set(datetime(2025, 3, 10, 16, 59, 59, tzinfo=UTC))  # still 23:59 local
    with pytest.raises(AttemptLimitError):
        store.start_attempt(learner.id, FINAL_ID)
    clock.set(datetime(2025, 3, 10, 17, 0, tzinfo=UTC))  # 00:00 on 11 March in Sơn La
    store.start_attempt(learner.id, FINAL_ID)
    status = store.final_status(learner.id)
    assert (status.attempts_today, status.attempts_left_today) == (1, 2)
    assert len(status.attempts) == 4


def test_local_day_bounds() -> None:
    start, end = local_day(datetime(2025, 1, 1, 16, 59, tzinfo=UTC))
    assert start.astimezone(COURSE_TZ).hour == 0 and end - start == timedelta(days=1)
    assert start == datetime(2024, 12, 31, 17, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        local_day(datetime(2025, 1, 1))  # naive


def test_highest_final_score_counts(store: Store, clock: Clock) -> None:
    """The counted result is the highest finished score; passing once is enough."""
    learner = store.sign_in("Hoàng Thị Yến", "Sở Giáo dục và Đào tạo", STAFF)
    assert store.final_status(learner.id).best is None
    take_quiz(store, learner.id, FINAL_ID, 0.5)
    with pytest.raises(CertificateError, match="chưa đạt"):
        store.issue_certificate(learner.id)
    best = take_quiz(store, learner.id, FINAL_ID, 1.0)
    take_quiz(store, learner.id, FINAL_ID, 0.75)
    status = store.final_status(learner.id)
    assert status.best is not None and status.best.id == best and status.passed
    assert status.attempts_left_today == 0
    progress = store.progress(learner.id, REQS)
    assert progress.final.best == status.best


def test_an_open_final_attempt_is_reported_for_resume(store: Store, clock: Clock) -> None:
    learner = store.sign_in("Đinh Văn Lực", "Sở Nội vụ", STAFF)
    attempt = store.start_attempt(learner.id, FINAL_ID)
    assert store.final_status(learner.id).open_attempt_id == attempt.id
    assert store.open_attempt(learner.id, FINAL_ID).id == attempt.id  # type: ignore[union-attr]


# ------------------------------------------------------------ pledge, certificate


def test_pledge_is_recorded_once(store: Store) -> None:
    learner = store.sign_in("Nguyễn Thị Thu", "Thanh tra tỉnh", STAFF)
    assert store.pledge(learner.id) is None
    text = "Tôi cam kết   nêu gương <b>trong</b> thực thi công vụ."
    pledge = store.record_pledge(learner.id, text)
    assert pledge.text == "Tôi cam kết nêu gương <b>trong</b> thực thi công vụ."
    assert (pledge.full_name, pledge.unit) == ("Nguyễn Thị Thu", "Thanh tra tỉnh")
    assert store.record_pledge(learner.id, "Khác") == pledge == store.pledge(learner.id)
    with pytest.raises(SignInError):
        store.record_pledge(learner.id, "  ")
    with pytest.raises(NotFoundError):
        store.record_pledge(str(uuid.uuid4()), "Tôi cam kết")
    assert store.progress(learner.id, REQS).pledge == pledge


def test_certificate_is_issued_once(store: Store, clock: Clock) -> None:
    learner = store.sign_in("Nguyễn Văn Bình", "Sở Tư pháp", LEADER)
    take_quiz(store, learner.id, FINAL_ID, 0.75)
    clock.set(clock.now + timedelta(days=1))
    attempt = take_quiz(store, learner.id, FINAL_ID, 1.0)
    cert = store.issue_certificate(learner.id)
    assert (cert.full_name, cert.unit, cert.role) == ("Nguyễn Văn Bình", "Sở Tư pháp", LEADER)
    assert (cert.score_percent, cert.attempt_id) == (100.0, attempt)
    assert store.issue_certificate(learner.id) == cert == store.certificate(learner.id)
    assert store.progress(learner.id, REQS).certificate == cert
    assert store.verify_certificate(cert.code).valid


# ------------------------------------------------------------------ robustness


def test_transient_trouble_is_waited_out(store: Store) -> None:
    """SQLite: a writer waits for another's lock. PostgreSQL: a dropped connection is
    replaced and the call retried."""
    learner = store.sign_in("Điêu Chính Tời", "Sở Nội vụ", STAFF)
    attempt = store.start_attempt(learner.id, "m1")
    if store.backend == "sqlite":
        holder = sa.create_engine(store.engine.url, connect_args={"isolation_level": None})
        with holder.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            release = threading.Timer(0.5, conn.exec_driver_sql, ("COMMIT",))
            release.start()
            started = time.perf_counter()
            store.record_answer(learner.id, attempt.id, "m1", answer("q1"))
            assert time.perf_counter() - started >= 0.4
            release.join()
        holder.dispose()
    else:
        with store.engine.connect() as conn:
            pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        admin = sa.create_engine(store.engine.url, poolclass=NullPool)
        with admin.connect() as conn:
            assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
        admin.dispose()
        store.record_answer(learner.id, attempt.id, "m1", answer("q1"))
        assert store.get_learner(learner.id) == learner
    assert len(store.answers(learner.id)) == 1
