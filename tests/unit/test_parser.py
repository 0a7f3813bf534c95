"""The parser turns the fixture course into the expected frozen objects."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from widgets.content.course import check_course, load_course
from widgets.content.model import Course, Level, ModuleKind, QuestionType, Rating, as_dict

EXPECTED = Path(__file__).parents[1] / "fixtures" / "course.expected.json"


def test_fixture_course_is_valid(fixture_course_dir: Path) -> None:
    assert check_course(fixture_course_dir) == []


def test_parsed_course_matches_snapshot(course: Course) -> None:
    snapshot = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert _portable(as_dict(course)) == snapshot


def test_directive_clauses_keep_their_exact_text(course: Course) -> None:
    clause = course.directive.clause("officials.1")
    assert clause.label == "Giờ làm việc"
    assert clause.text == "Không uống rượu, bia trước và trong giờ làm việc."
    assert course.directive.clause_ids == ("doc", "officials.1")


def test_module_front_matter_and_blocks(course: Course) -> None:
    module = course.module("tong-quan")
    assert (module.kind, module.teaching_minutes, module.exercise_minutes) == (ModuleKind.LESSON, 5, 10)
    assert module.quiz.pass_mark == 80 and module.quiz.tries == 2
    assert module.notebook == "tong-quan.ipynb"
    assert [s.title for s in module.sections] == ["Ai ban hành?", "Vì sao cả trước giờ làm việc?"]
    assert module.sections[0].body == "Văn bản do **UBND tỉnh Mẫu** ban hành."
    assert module.sections[0].parts == () and module.sections[0].interpretations == ()
    assert len(module.instructor) == 1 and "Thời lượng" in module.instructor[0].body


def test_single_choice_question(course: Course) -> None:
    question = course.question("q-ban-hanh")
    assert question.type is QuestionType.SINGLE
    assert question.stem == "Ai ban hành Công văn số 1/MAU?"
    assert [(c.id, c.text, c.correct) for c in question.choices] == [
        ("a", "Ủy ban nhân dân tỉnh Mẫu", True),
        ("b", "Bộ Nội vụ", False),
    ]
    assert question.choices[1].feedback == "Chưa đúng: văn bản không phải của Bộ Nội vụ."
    assert question.explanation.startswith("Công văn số 1/MAU")
    assert question.hint == 'Xem phần "Ai ban hành?".'
    assert question.cites == ("doc",)
    assert question.source.line == 16


def test_every_question_type_is_parsed(course: Course) -> None:
    types = {q.id: q.type for q in course.questions}
    assert set(types.values()) == set(QuestionType)
    matching = course.question("q-ghep")
    assert matching.categories == ("Được yêu cầu", "Bị cấm")
    assert next(p.item for p in matching.pairs) == "Không uống bia trong giờ làm việc"
    ordering = course.question("q-thu-tu")
    assert [item.text for item in ordering.order] == ["Một", "Hai", "Ba"]
    short = course.question("q-ngan")
    assert short.tone_insensitive and [c.correct for c in short.choices] == [True, False]
    assert course.question("q-nhieu").partial


def test_level_and_interpretive_fields(course: Course) -> None:
    levels = {q.id: q.level for q in course.questions}
    assert levels["q-ban-hanh"] is Level.RECALL and levels["q-ruou"] is Level.APPLICATION
    assert [q.id for q in course.questions if q.interpretive] == ["q-thu-tu"]


def test_interpretation_box_keeps_its_place_in_the_lesson(course: Course) -> None:
    section = course.module("tong-quan").sections[1]
    assert [(p.body[:8], p.interpretation is not None) for p in section.parts] == [
        ("Văn bản ", False),
        ("", True),
        ("Hỏi lãnh", False),
    ]
    (box,) = section.interpretations
    assert box.cites == ("officials.1",) and box.body.startswith("Cách hiểu của khóa học")
    assert "Cách hiểu" not in section.body  # the lesson's own text never includes the box


def test_interpretation_box_in_a_scenario_node(course: Course) -> None:
    node = course.scenarios[0].node("ket-thuc")
    assert node.text == "Kết thúc tình huống."
    assert [box.body[:9] for box in node.interpretations] == ["Cách hiểu"]


def test_interpretation_renders_apart_and_names_the_clause(course: Course) -> None:
    from widgets.render.fragments import render

    hrefs = {c: f"#{c}" for c in course.directive.clause_ids}
    html = render("lesson", sections=course.module("tong-quan").sections, clause_hrefs=hrefs)
    box = html.split('<aside class="nk-interpretation"')[1].split("</aside>")[0]
    assert "Giải thích thêm (không phải lời văn của Công văn)" in box and "Cách hiểu" in box
    assert html.index("Văn bản cấm uống") < html.index("nk-interpretation") < html.index("Hỏi lãnh đạo")
    scenario = course.scenarios[0]
    node_html = render(
        "scenario_node", first=False, scenario=scenario, node=scenario.node("ket-thuc"), image=None
    )
    assert 'class="nk-interpretation"' in node_html and 'data-clause="officials.1"' in node_html


def test_units_current_retired_and_successors(course: Course) -> None:
    assert course.units == ("Sở Nội vụ", "UBND xã/phường (ghi tên)", "Khác")
    assert course.typed_units == ("UBND xã/phường (ghi tên)",)
    assert course.successors == {"Sở Lao động - Thương binh và Xã hội": "Sở Nội vụ"}
    assert course.units_as_of == "2026-12-01"


def test_clause_short_name(course: Course) -> None:
    assert course.directive.clause("officials.1").name == "Yêu cầu (1) về giờ làm việc"


def test_scenario_graph(course: Course) -> None:
    scenario = course.scenarios[0]
    assert (scenario.id, scenario.start, scenario.setting) == ("sc-bia", "trua", "Một sở của tỉnh Mẫu")
    first = scenario.node("trua")
    assert [a.rating for a in first.actions] == [Rating.BEST, Rating.VIOLATION]
    assert first.actions[0].next == "chieu" and first.actions[0].cites == ("officials.1",)
    assert scenario.node("ket-thuc").is_end
    assert scenario.cites == ("officials.1",)


def test_objects_are_frozen(course: Course) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        course.question("q-ban-hanh").id = "x"  # type: ignore[misc]


def test_load_is_cached_until_a_file_changes(course_copy: Path) -> None:
    first = load_course(course_copy)
    assert load_course(course_copy) is first
    module = course_copy / "modules" / "tong-quan.md"
    module.write_text(
        module.read_text(encoding="utf-8").replace("Tổng quan", "Tổng quan mới"), encoding="utf-8"
    )
    assert load_course(course_copy).module("tong-quan").title == "Tổng quan mới"


def _portable(data: object) -> object:
    """Source paths relative to the fixtures folder, whatever the working folder."""
    if isinstance(data, dict):
        if set(data) == {"path", "line"}:
            return {"path": Path(data["path"]).name, "line": data["line"]}
        return {key: _portable(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_portable(item) for item in data]
    return data
