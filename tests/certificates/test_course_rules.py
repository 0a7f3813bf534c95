"""The course's rules, enforced whatever page calls: the final assessment only once every
required module is complete and never for a guest; a certificate only once the final is
passed and the pledge signed. Driven through ``LearnerSession`` on a real SQLite store and
through the pages' widgets (the browser test drives the same through Voilà)."""

from __future__ import annotations

import uuid
from pathlib import Path

import ipywidgets as w
import pytest
from signing import session_query

from widgets.content.course import load_course
from widgets.content.model import Course, Module, ModuleKind, QuestionType
from widgets.engine.progress import (
    FINAL_ID,
    LockedError,
    ModuleState,
    Step,
    certificate_lock,
    final_lock,
    requirements_for,
)
from widgets.engine.quiz import QuizAttempt
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.records.identity import STAFF
from widgets.records.store import Store, open_store
from widgets.session import LearnerSession
from widgets.views.quiz import QuizView

NAME = "Cầm Thị Hoa"


@pytest.fixture(scope="module")
def course() -> Course:
    """The real course: it has a final assessment (the fixture course has none)."""
    return load_course()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path))
    monkeypatch.delenv("NEUGUONG_DB_URL", raising=False)
    monkeypatch.delenv("NEUGUONG_CONTENT", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    return open_store()


def final_module(course: Course) -> Module:
    return next(m for m in course.modules if m.kind is ModuleKind.ASSESSMENT)


def session_of(course: Course, store: Store) -> LearnerSession:
    return LearnerSession(course, store, store.sign_in(NAME, "Sở Nội vụ", STAFF))


def complete(store: Store, learner_id: str, course: Course, *, skip: int = 0) -> None:
    """Pass every required module's quiz and finish its scenarios, all but the last ``skip``."""
    requirements = requirements_for(course)
    for req in requirements[: len(requirements) - skip]:
        if req.quiz_id:
            attempt = store.start_attempt(learner_id, req.quiz_id, module_id=req.module_id)
            answer = AnswerResult("q", "a", 1.0, 1.0, True, (), ())
            store.record_answer(learner_id, attempt.id, req.quiz_id, answer, module_id=req.module_id)
            store.finish_quiz(
                learner_id, QuizResult(req.quiz_id, attempt.id, (answer,), 80), module_id=req.module_id
            )
        for scenario_id in req.scenario_ids:
            run = store.start_scenario(learner_id, scenario_id, req.module_id)
            steps = (ScenarioStep("n1", "a1", "best", "end"),)
            store.finish_scenario(
                learner_id, run.id, req.module_id, ScenarioResult(scenario_id, steps, "end", 1, 1)
            )


def pass_final(store: Store, learner_id: str) -> None:
    attempt = store.start_attempt(learner_id, FINAL_ID, module_id="kiem-tra")
    answer = AnswerResult("q", "a", 1.0, 1.0, True, (), ())
    store.record_answer(learner_id, attempt.id, FINAL_ID, answer, module_id="kiem-tra")
    store.finish_quiz(learner_id, QuizResult(FINAL_ID, attempt.id, (answer,), 80), module_id="kiem-tra")


# ---------------------------------------------------------------- the pure rules


def test_rules_in_the_core() -> None:
    states = {"a": ModuleState.COMPLETE, "b": ModuleState.IN_PROGRESS, "c": ModuleState.NOT_STARTED}
    lock = final_lock(states)
    assert lock is not None and lock.steps == (Step.MODULE,) and lock.modules == ("b", "c")
    assert final_lock(dict.fromkeys(states, ModuleState.COMPLETE)) is None
    guest = final_lock(dict.fromkeys(states, ModuleState.COMPLETE), signed_in=False)
    assert guest is not None and guest.steps == (Step.SIGN_IN,)
    done = dict.fromkeys(states, ModuleState.COMPLETE)
    assert certificate_lock(done, final_passed=True, pledged=True) is None
    assert certificate_lock(done, final_passed=True, pledged=False).steps == (Step.PLEDGE,)  # type: ignore[union-attr]
    early = certificate_lock(states, final_passed=False, pledged=False)
    assert early is not None and early.steps == (Step.MODULE, Step.FINAL, Step.PLEDGE)


def test_records_core_has_no_import_circle() -> None:
    """``records.models`` no longer imports ``records.progress`` (which imported it back)."""
    import widgets.records.models as models

    source = Path(models.__file__).read_text(encoding="utf-8")
    assert "records.progress" not in source and "widgets.engine.progress" in source


# ---------------------------------------------------------- through LearnerSession


def test_the_final_will_not_start_before_the_modules(course: Course, store: Store) -> None:
    session = session_of(course, store)
    final = final_module(course)
    with pytest.raises(LockedError) as raised:
        session.quiz_attempt(final)
    assert set(raised.value.lock.modules) == {req.module_id for req in requirements_for(course)}
    complete(store, session.learner.id, course, skip=1)  # one module still missing
    with pytest.raises(LockedError) as raised:
        session.quiz_attempt(final)
    assert raised.value.lock.modules == (requirements_for(course)[-1].module_id,)
    assert store.attempts(session.learner.id, FINAL_ID) == []  # nothing was started
    complete(store, session.learner.id, course)
    attempt = session.quiz_attempt(final)
    assert attempt.quiz_id == FINAL_ID and len(store.attempts(session.learner.id, FINAL_ID)) == 1


def test_a_final_answer_made_elsewhere_is_not_saved_while_locked(course: Course, store: Store) -> None:
    """An attempt built without the session (another widget, a crafted call) cannot be saved."""
    session = session_of(course, store)
    final = final_module(course)
    attempt = QuizAttempt.start(
        FINAL_ID,
        course.questions,
        final.quiz,
        learner_id=session.learner.id,
        attempt=1,
        attempt_id=str(uuid.uuid4()),
    )
    question = next(q for q in attempt.questions if q.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE))
    outcome = attempt.check(question.id, question.choices[0].id)
    with pytest.raises(LockedError):
        session.save_answer(attempt, question, outcome)
    with pytest.raises(LockedError):
        session.finish_quiz(final, attempt.result())
    assert store.attempts(session.learner.id) == [] and store.answers(session.learner.id) == []


def test_no_certificate_before_the_final_and_the_pledge(course: Course, store: Store) -> None:
    session = session_of(course, store)
    learner_id = session.learner.id
    with pytest.raises(LockedError) as raised:
        session.issue_certificate()
    assert Step.FINAL in raised.value.lock.steps and Step.PLEDGE in raised.value.lock.steps
    complete(store, learner_id, course)
    pass_final(store, learner_id)
    with pytest.raises(LockedError) as raised:  # passed, but no pledge yet
        session.issue_certificate()
    assert raised.value.lock.steps == (Step.PLEDGE,)
    assert store.certificate(learner_id) is None
    store.record_pledge(learner_id, "Tôi cam kết.")
    certificate = session.issue_certificate()
    assert certificate.full_name == NAME and store.verify_certificate(certificate.code).valid


def test_final_attempts_and_certificates_are_audited(course: Course, store: Store) -> None:
    session = session_of(course, store)
    complete(store, session.learner.id, course)
    session.quiz_attempt(final_module(course))
    pass_final(store, session.learner.id)
    store.record_pledge(session.learner.id, "Tôi cam kết.")
    certificate = session.issue_certificate()
    events = [e.event for e in store.audit_events(learner_id=session.learner.id)]
    assert "final_attempt" in events and "certificate_issued" in events
    issued = next(e for e in store.audit_events(event="certificate_issued"))
    assert certificate.code in issued.detail


# ------------------------------------------------------------------ through the pages


def widgets_of(root: w.Widget, kind: type) -> list:
    found, stack = [], [root]
    while stack:
        widget = stack.pop()
        if isinstance(widget, kind):
            found.append(widget)
        stack.extend(getattr(widget, "children", ()) or ())
    return found


def page_html(root: w.Widget) -> str:
    return " ".join(widget.value for widget in widgets_of(root, w.HTML))


def test_a_direct_visit_to_the_locked_final_shows_what_remains(
    course: Course, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from widgets.views.module import module_page

    final = final_module(course)
    guest = module_page(final.id, course)
    html = page_html(guest)
    assert 'class="nk-locked"' in html and "Đăng nhập ở Trang chủ" in html
    assert not widgets_of(guest, QuizView) and "nk-question" not in html

    session = session_of(course, store)
    complete(store, session.learner.id, course, skip=1)
    monkeypatch.setenv("QUERY_STRING", session_query(store, session.learner.id))
    page = module_page(final.id, course)
    html = page_html(page)
    missing = next(m for m in course.modules if m.id == requirements_for(course)[-1].module_id)
    assert 'class="nk-locked"' in html and "Bài kiểm tra tổng hợp chưa mở" in html
    assert missing.title in html and f'href="{missing.notebook}?session=' in html
    assert not widgets_of(page, QuizView) and store.attempts(session.learner.id, FINAL_ID) == []

    complete(store, session.learner.id, course)
    page = module_page(final.id, course)
    assert widgets_of(page, QuizView) and 'class="nk-locked"' not in page_html(page)


def test_a_direct_visit_to_the_certificate_page_shows_what_remains(
    course: Course, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from widgets.views.certificate import PledgeForm, certificate_page

    session = session_of(course, store)
    monkeypatch.setenv("QUERY_STRING", session_query(store, session.learner.id))
    page = certificate_page(course)
    html = page_html(page)
    assert 'class="nk-locked"' in html and "Giấy chứng nhận chưa được cấp" in html
    assert f'href="{final_module(course).notebook}?session=' in html
    assert not widgets_of(page, PledgeForm) and store.certificate(session.learner.id) is None
