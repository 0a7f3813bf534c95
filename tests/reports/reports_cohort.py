"""A generated cohort over the whole course, bulk-inserted in one transaction.

Each learner has an ability; each question a difficulty. Learners start most modules, take
the practice quiz until they pass (at most 3 attempts, 2 tries a question), run every
scenario of the module, and — once every module is complete — take the final assessment
(20 questions drawn from the whole bank, at most 3 attempts). What was generated is kept in
:class:`Expected` so that the tests can check the reports against it.
"""

from __future__ import annotations

import dataclasses as dc
import json
import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Course, ModuleKind, Question, QuestionType, Scenario
from widgets.records import timelines
from widgets.records.identity import LEADER, STAFF, identity_key
from widgets.records.policy import FINAL_ID
from widgets.records.progress import requirements_for
from widgets.records.schema import (
    UTCDateTime,
    answers,
    attempts,
    certificates,
    completions,
    learners,
    scenario_choices,
)

T0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
SYLLABLES = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Khánh", "Lan", "Minh", "Nga", "Phúc", "Quân")


@dc.dataclass
class Expected:
    learners: int = 0
    modules_done: Counter[str] = dc.field(default_factory=Counter)
    """Learner ID → modules completed."""
    all_modules: set[str] = dc.field(default_factory=set)
    final_takers: set[str] = dc.field(default_factory=set)
    final_passed: set[str] = dc.field(default_factory=set)
    certified: set[str] = dc.field(default_factory=set)
    unit_of: dict[str, str] = dc.field(default_factory=dict)
    rows: Counter[str] = dc.field(default_factory=Counter)
    final_best: dict[str, float] = dc.field(default_factory=dict)
    final_attempts: int = 0


def learner_name(index: int) -> str:
    """A distinct Vietnamese-looking name (letters and spaces only) for every index."""
    parts = []
    while True:
        index, digit = divmod(index, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
        if index == 0:
            break
        index -= 1
    return "Nguyễn " + " ".join(reversed(parts))


def _right(question: Question) -> Any:
    if question.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        return next(c.id for c in question.choices if c.correct)
    if question.type is QuestionType.MULTIPLE:
        return sorted(c.id for c in question.choices if c.correct)
    if question.type is QuestionType.MATCHING:
        return sorted([p.id, p.category] for p in question.pairs)
    if question.type is QuestionType.ORDERING:
        return [item.id for item in question.order]
    return next(c.text for c in question.choices if c.correct)


def _wrong(question: Question, rng: random.Random) -> Any:
    if question.type in (QuestionType.SINGLE, QuestionType.TRUE_FALSE):
        wrong = [c.id for c in question.choices if not c.correct]
        return wrong[0] if rng.random() < 0.6 or len(wrong) == 1 else rng.choice(wrong[1:])
    if question.type is QuestionType.MULTIPLE:
        return sorted({c.id for c in question.choices} - {question.choices[0].id})
    if question.type is QuestionType.MATCHING:
        pairs = sorted([p.id, p.category] for p in question.pairs)
        categories = question.categories
        pairs[0][1] = next((c for c in categories if c != pairs[0][1]), pairs[0][1])
        return pairs
    if question.type is QuestionType.ORDERING:
        order = [item.id for item in question.order]
        return [order[1], order[0], *order[2:]]
    return "không rõ"


class _Builder:
    def __init__(self, course: Course, rng: random.Random) -> None:
        self.course = course
        self.rng = rng
        self.rows: dict[str, list[dict[str, Any]]] = {
            t: []
            for t in ("learners", "attempts", "answers", "scenario_choices", "completions", "certificates")
        }
        self.difficulty = {q.id: rng.uniform(-1.0, 1.0) for q in course.questions}
        self.module_of = {q.id: m.id for m in course.modules for q in m.questions}
        self.right = {q.id: _right(q) for q in course.questions}

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def quiz(
        self,
        learner_id: str,
        quiz_id: str,
        module_id: str,
        pool: tuple[Question, ...],
        draw: int,
        tries: int,
        pass_mark: int,
        ability: float,
        at: datetime,
    ) -> tuple[bool, float, datetime]:
        attempt_id = self.uid()
        start = at
        drawn = self.rng.sample(pool, min(draw, len(pool)))
        total = 0.0
        for question in drawn:
            p = min(0.98, max(0.03, ability + 0.25 - 0.35 * self.difficulty[question.id]))
            for try_no in range(1, tries + 1):
                right = self.rng.random() < p
                at += timedelta(seconds=20)
                self.rows["answers"].append(
                    {
                        "id": self.uid(),
                        "attempt_id": attempt_id,
                        "learner_id": learner_id,
                        "module_id": self.module_of[question.id],
                        "question_id": question.id,
                        "try_no": try_no,
                        "response": json.dumps(
                            self.right[question.id] if right else _wrong(question, self.rng),
                            ensure_ascii=False,
                            separators=(",", ":"),
                        ),
                        "score": float(question.points) if right else 0.0,
                        "max_score": float(question.points),
                        "correct": right,
                        "cites": json.dumps(list(question.cites)),
                        "answered_at": at,
                    }
                )
                if right:
                    total += question.points
                    break
                p = 0.5
        maximum = float(sum(q.points for q in drawn))
        passed = 100.0 * total / maximum + 1e-9 >= pass_mark
        self.rows["attempts"].append(
            {
                "id": attempt_id,
                "learner_id": learner_id,
                "kind": "quiz",
                "activity_id": quiz_id,
                "module_id": module_id,
                "started_at": start,
                "finished_at": at,
                "score": total,
                "max_score": maximum,
                "passed": passed,
                "pass_mark": pass_mark,
                "end_node_id": None,
            }
        )
        return passed, 100.0 * total / maximum, at + timedelta(minutes=1)

    def scenario(
        self, learner_id: str, module_id: str, scenario: Scenario, ability: float, at: datetime
    ) -> datetime:
        run_id = self.uid()
        node = scenario.node(scenario.start)
        start, step, score, maximum = at, 0, 0, 0
        while not node.is_end:
            best = [a for a in node.actions if a.rating.value == "best"]
            action = best[0] if best and self.rng.random() < ability else self.rng.choice(node.actions)
            at += timedelta(seconds=30)
            self.rows["scenario_choices"].append(
                {
                    "id": self.uid(),
                    "attempt_id": run_id,
                    "learner_id": learner_id,
                    "module_id": module_id,
                    "scenario_id": scenario.id,
                    "step_no": step,
                    "node_id": node.id,
                    "action_id": action.id,
                    "rating": action.rating.value,
                    "next_node_id": action.next,
                    "chosen_at": at,
                }
            )
            score += {"best": 2, "acceptable": 1}.get(action.rating.value, 0)
            maximum += 2
            step += 1
            node = scenario.node(action.next)
        self.rows["attempts"].append(
            {
                "id": run_id,
                "learner_id": learner_id,
                "kind": "scenario",
                "activity_id": scenario.id,
                "module_id": module_id,
                "started_at": start,
                "finished_at": at,
                "score": float(score),
                "max_score": float(maximum),
                "passed": None,
                "pass_mark": None,
                "end_node_id": node.id,
            }
        )
        return at + timedelta(minutes=1)


def generate(engine: Engine, course: Course, n: int, *, seed: int = 1273) -> Expected:
    """Insert ``n`` learners with their whole course history; return what was generated."""
    rng = random.Random(seed)
    build = _Builder(course, rng)
    expected = Expected(learners=n)
    units = [u for u in course.units if u != "Khác"] or ["Sở Nội vụ"]
    # every module with exercises (the site guide's practice too), not the final assessment
    final = next(m for m in course.modules if m.kind is ModuleKind.ASSESSMENT)
    lessons = [m for m in course.modules if m is not final and (m.questions or m.scenarios)]
    assert len(requirements_for(course)) == len(lessons)
    bank = course.questions
    for index in range(n):
        learner_id = build.uid()
        name, unit = learner_name(index), units[index % len(units)]
        at = T0 + timedelta(minutes=index)
        build.rows["learners"].append(
            {
                "id": learner_id,
                "full_name": name,
                "unit": unit,
                "role": LEADER if index % 7 == 0 else STAFF,
                "staff_code": None,
                "name_key": identity_key(name),
                "unit_key": identity_key(unit),
                "created_at": at,
            }
        )
        expected.unit_of[learner_id] = unit
        ability = rng.uniform(0.25, 0.95)
        done = 0
        for module in lessons:
            if rng.random() > 0.93:
                continue
            passed = False
            for _ in range(3):
                passed, _, at = build.quiz(
                    learner_id,
                    module.id,
                    module.id,
                    module.questions,
                    module.quiz.draw or len(module.questions),
                    module.quiz.tries or 2,
                    module.quiz.pass_mark,
                    ability,
                    at,
                )
                if passed:
                    break
            finished_all = rng.random() < 0.95
            for scenario in module.scenarios if finished_all else module.scenarios[:-1]:
                at = build.scenario(learner_id, module.id, scenario, ability, at)
            if passed and finished_all:
                done += 1
                if rng.random() < 0.5:
                    build.rows["completions"].append(
                        {"learner_id": learner_id, "module_id": module.id, "completed_at": at}
                    )
        expected.modules_done[learner_id] = done
        if done == len(lessons):
            expected.all_modules.add(learner_id)
            if rng.random() < 0.9:
                expected.final_takers.add(learner_id)
                best = None
                for _ in range(3):
                    expected.final_attempts += 1
                    passed, percent, at = build.quiz(
                        learner_id,
                        FINAL_ID,
                        final.id,
                        bank,
                        final.quiz.draw or 20,
                        final.quiz.tries or 1,
                        final.quiz.pass_mark,
                        ability,
                        at,
                    )
                    best = percent if best is None else max(best, percent)
                    if passed:
                        expected.final_passed.add(learner_id)
                        if rng.random() < 0.95:
                            expected.certified.add(learner_id)
                            build.rows["certificates"].append(
                                {
                                    "id": build.uid(),
                                    "learner_id": learner_id,
                                    "code": f"NG{len(expected.certified):08d}",
                                    "full_name": name,
                                    "unit": unit,
                                    "role": STAFF,
                                    "score_percent": percent,
                                    "attempt_id": build.rows["attempts"][-1]["id"],
                                    "issued_at": at,
                                }
                            )
                        break
                expected.final_best[learner_id] = best or 0.0
    with engine.begin() as conn:
        for table in (learners, attempts, answers, scenario_choices, completions, certificates):
            rows = build.rows[table.name]
            bulk_insert(conn, table, rows)
            expected.rows[table.name] = len(rows)
        timelines.refresh(conn, None, course)  # a write of evidence: every learner's mastery timelines
    return expected


def bulk_insert(conn: Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """``executemany`` at the driver level (fast), in primary-key order (the B-tree grows at
    its end); times are stored as the schema stores them (SQLite: naive UTC text exactly as
    SQLAlchemy writes it; PostgreSQL: ``timestamptz``)."""
    if not rows:
        return
    columns = [c.name for c in table.columns]
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
    times = [n for n, c in enumerate(table.columns) if isinstance(c.type, UTCDateTime)]
    keys = [n for n, c in enumerate(table.columns) if c.primary_key]
    params = [[row.get(name) for name in columns] for row in rows]
    if conn.dialect.name == "sqlite":
        for values in params:  # every time here is already in UTC
            for n in times:
                if values[n] is not None:
                    values[n] = values[n].isoformat(sep=" ", timespec="microseconds")[:26]
    params.sort(key=lambda values: [values[n] for n in keys])
    for start in range(0, len(params), 20_000):
        conn.exec_driver_sql(sql, [tuple(values) for values in params[start : start + 20_000]])
