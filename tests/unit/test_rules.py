"""``neuguong check``'s course-wide rules (issue 18), each shown to fail on a deliberately broken
copy of the fixture course described in ``tests/fixtures/rules/*.yml``."""

from __future__ import annotations

import dataclasses as dc
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from widgets.content.course import check_course, load_course
from widgets.content.model import Course, Level, Module, ModuleKind, Question, QuestionType, QuizPolicy
from widgets.content.rules import final_problems
from widgets.engine.quiz import QuizAttempt
from widgets.engine.scoring import moodle_partial, score

RULES = Path(__file__).parents[1] / "fixtures" / "rules"
CASES = sorted(
    p.stem for p in RULES.glob("*.yml") if "expect" in (yaml.safe_load(p.read_text("utf-8")) or [])
)


def broken_copy(course_copy: Path, case: str) -> list[str]:
    """Apply the case's edits (and its base's) to the copy; return the messages it expects,
    with each ``{text}`` replaced by the first line of the copy that holds that text."""
    spec = yaml.safe_load((RULES / f"{case}.yml").read_text("utf-8"))
    if base := spec.get("base"):
        broken_copy(course_copy, Path(base).stem)
    for edit in spec["edits"]:
        if "add" in edit:
            shutil.copy(RULES / edit["add"], course_copy / edit["to"])
            continue
        path = course_copy / edit["file"]
        text = path.read_text("utf-8")
        count = edit.get("count", 1)
        assert text.count(edit["replace"]) >= count, (case, edit["replace"])
        path.write_text(text.replace(edit["replace"], edit["with"], count), "utf-8")

    def line(match: re.Match[str]) -> str:
        file = match.string.split(":", 1)[0].removeprefix("course/")
        lines = (course_copy / file).read_text("utf-8").splitlines()
        return str(next(n for n, s in enumerate(lines, 1) if match.group(1) in s))

    return [re.sub(r"\{([^}]+)\}", line, message) for message in spec["expect"]]


def problems(root: Path) -> list[str]:
    return [str(p) for p in check_course(root)]


def test_the_fixture_course_passes_every_rule(course_copy: Path) -> None:
    assert problems(course_copy) == []


@pytest.mark.parametrize("case", CASES)
def test_each_rule_fails_on_its_broken_copy(course_copy: Path, case: str) -> None:
    expected = broken_copy(course_copy, case)
    assert sorted(problems(course_copy)) == sorted(expected)


def test_every_rule_has_a_broken_copy() -> None:
    kinds = {
        case.split("-")[0] for case in CASES if yaml.safe_load((RULES / f"{case}.yml").read_text())["expect"]
    }
    assert kinds == {"final", "level", "units", "style"}


def test_a_course_breaking_only_the_rules_still_loads(course_copy: Path) -> None:
    broken_copy(course_copy, "level-share")
    assert problems(course_copy) and load_course(course_copy).questions  # the site keeps working


# ---- the final's pool and draw --------------------------------------------------------------


def final_course(course_copy: Path, case: str = "final-course") -> tuple[Course, Module]:
    broken_copy(course_copy, case)
    course = load_course(course_copy)
    return course, course.module("kiem-tra")


def test_final_pool_has_no_guide_or_interpretive_question_and_a_decision_set(course_copy: Path) -> None:
    course, final = final_course(course_copy)
    pool = final.quiz.pool
    assert not any(q.interpretive for q in pool)
    assert "q-thu-tu" not in {q.id for q in pool}  # interpretive: practice only
    decisions = [q for q in pool if q.decision_set]
    assert [q.id for q in decisions] == ["sc-bia__trua", "sc-bia__chieu"]  # the best path, in order
    assert all(q.level is Level.APPLICATION for q in decisions)
    assert course.module_of("sc-bia__trua").id == "tong-quan" and course.question("sc-bia__chieu")


def test_guide_questions_never_reach_the_final(course_copy: Path) -> None:
    module = course_copy / "modules" / "tong-quan.md"
    module.write_text(
        module.read_text("utf-8").replace("title: Tổng quan\n", "title: Tổng quan\nkind: guide\n")
    )
    _, final = final_course(course_copy)
    assert {q.id for q in final.quiz.pool} == set()  # the only module is now the guide


def final_violations(course: Course, drawn: Sequence[Question]) -> list[str]:
    """What is wrong with a drawn final, by the issue's rules (empty when nothing)."""
    found = [f"interpretive: {q.id}" for q in drawn if q.interpretive]
    found += [f"guide: {q.id}" for q in drawn if course.module_of(q.id).kind is ModuleKind.GUIDE]
    if not any(q.decision_set for q in drawn):
        found.append("no decision set")
    if sum(q.level is Level.APPLICATION for q in drawn) * 2 < len(drawn):
        found.append("less than half application")
    return found


def test_every_draw_keeps_the_rules(course_copy: Path) -> None:
    course, final = final_course(course_copy)
    for attempt in range(1, 40):
        drawn = QuizAttempt.start(
            "final", course.questions, final.quiz, learner_id=f"L{attempt}", attempt=attempt
        ).questions
        assert len(drawn) == 4 and final_violations(course, drawn) == []
        assert [q.id for q in drawn if q.decision_set] == ["sc-bia__trua", "sc-bia__chieu"]
        assert all(q.partial_credit for q in drawn if q.type is QuestionType.MULTIPLE)


def test_a_broken_draw_is_caught(course_copy: Path) -> None:
    """The check above can fail: the whole bank drawn as before issue 18 (interpretive item in,
    no scenario, mostly recall) is caught, and so is a pool that lets an interpretive item in."""
    course, _ = final_course(course_copy)
    old_style = QuizAttempt.start("final", course.questions, QuizPolicy(draw=4), learner_id="L", attempt=3)
    assert "no decision set" in final_violations(course, old_style.questions)
    thu_tu = course.question("q-thu-tu")
    assert final_violations(course, (thu_tu, course.question("q-ban-hanh"))) == [
        "interpretive: q-thu-tu",
        "no decision set",
        "less than half application",
    ]
    leaky = dc.replace(
        course,
        modules=tuple(
            dc.replace(m, quiz=dc.replace(m.quiz, pool=(*m.quiz.pool, thu_tu))) if m.id == "kiem-tra" else m
            for m in course.modules
        ),
    )
    assert any("interpretive" in p.message for p in final_problems(leaky))


def test_decision_items_score_like_the_scenario(course_copy: Path) -> None:
    _, final = final_course(course_copy)
    item = next(q for q in final.quiz.pool if q.id == "sc-bia__chieu")
    by_text = {c.text: c.id for c in item.choices}
    assert score(item, by_text["Tiếp khách chu đáo."]).score == 1.0
    assert score(item, by_text["Hẹn khách hôm khác."]).score == 0.5  # acceptable: half
    assert "Khách phải quay lại." in score(item, by_text["Hẹn khách hôm khác."]).feedback[0]


# ---- partial credit ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hits", "n_right", "misses", "n_wrong", "expected"),
    [
        (2, 2, 0, 1, 1.0),  # all right, nothing wrong
        (1, 2, 0, 1, 0.5),  # half the right choices
        (2, 2, 1, 1, 0.0),  # all right plus the only wrong one: 1 - 1
        (1, 2, 1, 2, 0.0),  # 0.5 - 0.5
        (2, 3, 1, 2, 2 / 3 - 1 / 2),
        (0, 2, 2, 2, 0.0),  # never below zero
    ],
)
def test_moodle_partial_credit(hits: int, n_right: int, misses: int, n_wrong: int, expected: float) -> None:
    assert moodle_partial(hits, n_right, misses, n_wrong) == pytest.approx(expected)


def test_partial_credit_is_set_by_the_quiz_policy(course: Course) -> None:
    question = dc.replace(course.question("q-nhieu"), partial=False)  # right: a, b; wrong: c
    strict = QuizAttempt.start("m", (question,), QuizPolicy(), learner_id="L", attempt=1)
    assert strict.check("q-nhieu", ("a",)).answer.score == 0.0  # all or nothing by default
    partial = QuizAttempt.start("m", (question,), QuizPolicy(partial_credit=True), learner_id="L", attempt=1)
    (drawn,) = partial.questions
    assert drawn.partial_credit and not question.partial_credit  # the bank is untouched
    assert partial.check("q-nhieu", ("a",)).answer.score == 0.5
    assert score(drawn, ("a", "b", "c")).score == 0.0  # 1 - 1/1
    assert score(drawn, ("a", "b")).correct


def test_the_final_states_its_rules(course_copy: Path) -> None:
    from widgets.views.module import final_rules_text

    _, final = final_course(course_copy)
    text = final_rules_text(final)
    assert "4 câu" in text and "1 tình huống" in text and "50%" in text and "80%" in text
    assert "điểm từng phần" in text and final.kind is ModuleKind.ASSESSMENT
