"""The real course's final through ``LearnerSession`` on SQLite (issue 18): the drawn items keep
the rules (no guide or interpretive question, a scored scenario decision set, at least half
application, partial credit), answers to decision items are saved, restored after a reload and
reported with their text on the dashboard."""

from __future__ import annotations

import pytest

from widgets.content.model import Level, ModuleKind, QuestionType
from widgets.engine.progress import FINAL_ID
from widgets.reports.dashboard import build_dashboard

from .test_course_rules import complete, course, final_module, session_of, store  # noqa: F401


def test_the_final_keeps_its_rules_and_saves_decision_answers(course, store) -> None:  # noqa: F811
    session = session_of(course, store)
    final = final_module(course)
    complete(store, session.learner.id, course)
    attempt = session.quiz_attempt(final)
    drawn = attempt.questions
    guide = {m.id for m in course.modules if m.kind is ModuleKind.GUIDE}
    assert len(drawn) == final.quiz.draw
    assert not any(q.interpretive or course.module_of(q.id).id in guide for q in drawn)
    assert sum(q.level is Level.APPLICATION for q in drawn) * 100 >= final.quiz.min_application * len(drawn)
    decisions = [q for q in drawn if q.decision_set]
    assert decisions and len({q.decision_set for q in decisions}) == final.quiz.scenarios
    assert all(q.partial_credit for q in drawn if q.type is QuestionType.MULTIPLE)

    item = decisions[0]
    acceptable = next((c for c in item.choices if c.weight == 50), None)
    choice = acceptable or next(c for c in item.choices if c.correct)
    outcome = attempt.check(item.id, choice.id)
    session.save_answer(attempt, item, outcome)
    again = session.quiz_attempt(final)  # a reload: the same draw, the answer restored
    assert [q.id for q in again.questions] == [q.id for q in drawn]
    restored = again.last_answer(item.id)
    assert restored is not None and restored.score == pytest.approx(0.5 if acceptable else 1.0)

    session.finish_quiz(final, again.result())  # item statistics count finished attempts
    data = build_dashboard(store.statistics, course, quiz_id=FINAL_ID)
    stat = next(s for s in data.items if s.question_id == item.id)
    assert stat.stem == item.stem and set(stat.cites) == set(item.cites)
