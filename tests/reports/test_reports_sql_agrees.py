"""The dashboard's SQL statistics agree with the plain-Python reference over the same records.

A seeded cohort from the generator, roughened with what real records hold and the generator
does not make (scenarios replayed with other choices, two choices at the same moment, an
action no longer in the content, unfinished attempts, a try recorded twice), is reported both
ways: :mod:`widgets.records.statistics` in the database, and the reference functions of
``tests/reference/`` (``completion``, ``scores``, ``items`` and ``scenarios``) over every row
loaded with :func:`load_cohort`. Every figure must agree, under each filter.
"""

from __future__ import annotations

import dataclasses as dc
import math
import random
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from reference import completion as ref_completion
from reference import items as ref_items
from reference import scenarios as ref_scenarios
from reference import scores as ref_scores
from reference.cohort import load_cohort
from reports_cohort import T0, bulk_insert, generate

from widgets.content.model import Course
from widgets.records.progress import requirements_for
from widgets.records.schema import answers, attempts, scenario_choices
from widgets.records.statistics import completion, items, scenarios, scores
from widgets.records.statistics.filters import Filters
from widgets.records.store import Store
from widgets.reports.dashboard import build_dashboard, default_quiz

LEARNERS = 90


def same(got: Any, want: Any, where: str = "") -> None:
    """Equal, floats to 1e-9 (SQL sums in another order than ``math.fsum``)."""
    if dc.is_dataclass(got) and not isinstance(got, type):
        assert type(got) is type(want), where
        for field in dc.fields(got):
            same(getattr(got, field.name), getattr(want, field.name), f"{where}.{field.name}")
    elif isinstance(got, float) or isinstance(want, float):
        assert got is not None and want is not None, f"{where}: {got!r} != {want!r}"
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9), f"{where}: {got!r} != {want!r}"
    elif isinstance(got, (list, tuple)):
        assert len(got) == len(want), f"{where}: {len(got)} != {len(want)} items"
        for n, (a, b) in enumerate(zip(got, want, strict=True)):
            same(a, b, f"{where}[{n}]")
    elif isinstance(got, dict):
        assert got.keys() == want.keys(), where
        for key in got:
            same(got[key], want[key], f"{where}[{key!r}]")
    else:
        assert got == want, f"{where}: {got!r} != {want!r}"


def roughen(store: Store, course: Course, rng: random.Random) -> None:
    """Add the irregular records the generator never makes."""

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    with store.engine.connect() as conn:
        runs = conn.execute(
            sa.select(attempts).where(attempts.c.kind == "scenario").order_by(attempts.c.id)
        ).all()
        quizzes = conn.execute(
            sa.select(attempts).where(attempts.c.kind == "quiz").order_by(attempts.c.id)
        ).all()
        tries = conn.execute(sa.select(answers).order_by(answers.c.id)).all()
        made = conn.execute(sa.select(scenario_choices).order_by(scenario_choices.c.id)).all()
    new: dict[str, list[dict[str, Any]]] = {"attempts": [], "answers": [], "scenario_choices": []}
    by_id = {s.id: s for s in course.scenarios}
    for run in rng.sample(runs, len(runs) // 5):  # replayed later, choosing at random
        scenario, replay = by_id[run.activity_id], uid()
        at, node, step = (
            run.finished_at + timedelta(hours=rng.choice((2, 30))),
            scenario.node(scenario.start),
            0,
        )
        while not node.is_end:
            action = rng.choice(node.actions)
            at += timedelta(seconds=15)
            new["scenario_choices"].append(
                {"id": uid(), "attempt_id": replay, "learner_id": run.learner_id, "module_id": run.module_id}
                | {"scenario_id": scenario.id, "step_no": step, "node_id": node.id, "action_id": action.id}
                | {"rating": str(action.rating), "next_node_id": action.next, "chosen_at": at}
            )
            step += 1
            node = scenario.node(action.next)
        finished = rng.random() < 0.7
        new["attempts"].append(
            dict(run._mapping)
            | {"id": replay, "started_at": run.finished_at + timedelta(hours=1), "end_node_id": node.id}
            | {"finished_at": at if finished else None}
        )
    for choice in rng.sample(made, len(made) // 40):  # a second choice at the very same moment
        new["scenario_choices"].append(dict(choice._mapping) | {"id": uid(), "action_id": "a1"})
    for choice in rng.sample(made, len(made) // 60):  # an action since removed from the content
        new["scenario_choices"].append(
            dict(choice._mapping)
            | {"id": uid(), "action_id": "da-bo", "rating": "violation"}
            | {"chosen_at": choice.chosen_at - timedelta(seconds=1)}
        )
    for quiz in rng.sample(quizzes, len(quizzes) // 10):  # started again, left unfinished
        open_id = uid()
        started = quiz.finished_at + timedelta(minutes=rng.choice((5, 600)))
        new["attempts"].append(
            dict(quiz._mapping)
            | {"id": open_id, "started_at": started, "finished_at": None, "score": None, "passed": None}
        )
    for answer in rng.sample(tries, len(tries) // 50):  # the same try recorded twice
        new["answers"].append(
            dict(answer._mapping) | {"id": uid(), "score": 0.0, "correct": False, "response": '"x"'}
        )
    with store.engine.begin() as conn:
        for table in (attempts, answers, scenario_choices):
            bulk_insert(conn, table, new[table.name])


@pytest.fixture(params=[3, 1273], ids=lambda seed: f"seed{seed}")
def rough(request: pytest.FixtureRequest, store: Store, real_course: Course) -> Store:
    generate(store.engine, real_course, LEARNERS, seed=request.param)
    roughen(store, real_course, random.Random(f"rough-{request.param}"))
    return store


def filters_to_try(course: Course) -> list[Filters]:
    lesson = requirements_for(course)[1].module_id
    units = course.units[:2]
    return [
        Filters(),
        Filters(units=tuple(units)),
        Filters(roles=("lãnh đạo",)),
        Filters(since=T0 + timedelta(minutes=25), until=T0 + timedelta(hours=20)),
        Filters(until=T0 + timedelta(hours=8)),
        Filters(module_id=lesson),
        Filters(since=T0 + timedelta(hours=2), units=(units[0],), module_id=lesson),
    ]


def test_sql_reports_agree_with_python_over_a_rough_cohort(rough: Store, real_course: Course) -> None:
    course = real_course
    requirements = requirements_for(course)
    questions = {q.id: q for q in course.questions}
    for filters in filters_to_try(course):
        cohort = load_cohort(rough.engine, filters)
        in_range = cohort.attempts_in_range
        quizzes = {default_quiz(course, filters), "final", requirements[0].module_id}
        shown = course.module(filters.module_id).scenarios if filters.module_id else course.scenarios
        with rough.engine.connect() as conn:
            got = completion.learner_completion(conn, filters, requirements)
            same(got, ref_completion.learner_completion(cohort, requirements), f"{filters} learners")
            for quiz in sorted(quizzes):
                same(
                    scores.score_report(conn, filters, quiz),
                    ref_scores.score_report(in_range, quiz),
                    f"{filters} scores {quiz}",
                )
                for which in (items.FIRST, items.ALL):
                    want = ref_items.item_statistics(cohort.answers, in_range, quiz, questions, which=which)
                    for way in items.item_ways(conn.dialect.name):  # every way, on each backend
                        same(
                            items.item_statistics(conn, filters, quiz, questions, which=which, way=way),
                            want,
                            f"{filters} items {quiz} {which} way={way}",
                        )
            for ranked in (True, False):  # both ways of counting first choices, on each backend
                same(
                    scenarios.scenario_analysis(conn, filters, shown, ranked=ranked),
                    ref_scenarios.scenario_analysis(cohort.choices, shown),
                    f"{filters} nodes ranked={ranked}",
                )


def test_the_rough_cohort_exercises_the_hard_cases(rough: Store, real_course: Course) -> None:
    """The roughening is not a no-op: replays, ties, removed actions and open attempts are there."""
    data = build_dashboard(rough.statistics, real_course)
    cohort = load_cohort(rough.engine)
    firsts = ref_scenarios.first_choices(cohort.choices)
    assert len(cohort.choices) > len(firsts) + 100  # learners chose again at many nodes
    assert any(a.action_id == "da-bo" and a.count for node in data.nodes for a in node.actions)
    assert data.scores.unfinished > 0
    assert any(not row.final_passed and row.final_percent for row in data.learners)
