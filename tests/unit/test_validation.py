"""Each kind of content mistake gives one exact ``file:line: message`` (and no traceback)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from widgets.content.course import check_course, load_course
from widgets.content.problems import ContentError

MODULE = "modules/tong-quan.md"


def edit(root: Path, name: str, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in a file; return the 1-based line where ``new`` starts."""
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text[: text.index(new)].count("\n") + 1 if new else 0


def line_of(root: Path, name: str, needle: str) -> int:
    text = (root / name).read_text(encoding="utf-8")
    return text[: text.index(needle)].count("\n") + 1


def problems(root: Path) -> list[str]:
    return [str(problem) for problem in check_course(root)]


def test_unknown_clause_id(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "cites: doc\n\nAi ban hành", "cites: doc.9\n\nAi ban hành")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: mã điều khoản không có trong Công văn: 'doc.9'"
    ]


def test_duplicate_question_id(course_copy: Path) -> None:
    first = line_of(course_copy, MODULE, ":::: question q-ruou")
    line = line_of(course_copy, MODULE, ":::: question q-nhieu")
    edit(course_copy, MODULE, ":::: question q-nhieu", ":::: question q-ruou")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: mã 'q-ruou' đã dùng ở course/{MODULE}:{first}"]


def test_duplicate_clause_id(course_copy: Path) -> None:
    line = line_of(course_copy, "directive.md", "::: clause officials.1")
    edit(course_copy, "directive.md", "::: clause officials.1", "::: clause doc")
    found = problems(course_copy)
    assert f"course/directive.md:{line}: mã điều khoản 'doc' bị trùng" in found


def test_question_without_correct_choice(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "- [x] Ủy ban nhân dân tỉnh Mẫu", "- [ ] Ủy ban nhân dân tỉnh Mẫu")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: câu hỏi không có đáp án đúng nào ('[x]')"]


def test_single_choice_with_two_keys(course_copy: Path) -> None:
    edit(course_copy, MODULE, "- [ ] Bộ Nội vụ\n  > Chưa đúng: văn", "- [x] Bộ Nội vụ\n  > Chưa đúng: văn")
    line = line_of(course_copy, MODULE, "- [x] Ủy ban nhân dân tỉnh Mẫu")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: câu hỏi loại single chỉ được có một đáp án đúng ('[x]')"
    ]


def test_choice_without_feedback(course_copy: Path) -> None:
    line = line_of(course_copy, MODULE, "- [ ] Bộ Nội vụ\n  > Chưa đúng: văn")
    edit(course_copy, MODULE, "  > Chưa đúng: văn bản không phải của Bộ Nội vụ.\n", "")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: đáp án thiếu phản hồi: thêm một dòng '> …' ngay dưới đáp án"
    ]


def test_choice_without_task_marker(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "- [ ] Bộ Nội vụ\n  > Chưa đúng: văn", "- Bộ Nội vụ\n  > Chưa đúng: văn")
    assert f"course/{MODULE}:{line}: đáp án phải bắt đầu bằng '[x] ' (đúng) hoặc '[ ] ' (sai)" in problems(
        course_copy
    )


def test_question_without_cites(course_copy: Path) -> None:
    block = line_of(course_copy, MODULE, ":::: question q-ban-hanh")
    edit(course_copy, MODULE, "q-ban-hanh\nlevel: recall\ncites: doc\n", "q-ban-hanh\nlevel: recall\n")
    assert problems(course_copy) == [
        f"course/{MODULE}:{block}: question thiếu trường 'cites' (mã điều khoản của Công văn)"
    ]


def test_missing_explanation(course_copy: Path) -> None:
    block = line_of(course_copy, MODULE, ":::: question q-ban-hanh")
    edit(
        course_copy,
        MODULE,
        "::: explanation\nCông văn số 1/MAU là văn bản của Ủy ban nhân dân tỉnh Mẫu.\n:::\n",
        "",
    )
    assert problems(course_copy) == [
        f"course/{MODULE}:{block}: câu hỏi 'q-ban-hanh' thiếu khối explanation (giải thích)"
    ]


def test_unknown_field(course_copy: Path) -> None:
    line = edit(
        course_copy, MODULE, "cites: officials.1\ntype: true-false", "cites: officials.1\ntyp: true-false"
    )
    assert problems(course_copy) == [
        f"course/{MODULE}:{line + 1}: trường 'typ' không dùng trong khối question "
        "(dùng: cites, interpretive, level, partial, points, tone-insensitive, type)"
    ]


def test_unknown_question_type(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "type: ordering", "type: essay")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: loại câu hỏi 'essay' không có "
        "(dùng: single, multiple, true-false, matching, ordering, short)"
    ]


def test_true_false_needs_dung_and_sai(course_copy: Path) -> None:
    edit(course_copy, MODULE, "- [x] Sai\n", "- [x] Không\n")
    line = line_of(course_copy, MODULE, "- [ ] Đúng")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: câu hỏi true-false phải có đúng hai đáp án 'Đúng' và 'Sai'"
    ]


def test_module_listed_but_missing(course_copy: Path) -> None:
    line = edit(
        course_copy,
        "course.yml",
        "  - file: modules/tong-quan.md",
        "  - file: modules/khong-co.md\n  - file: modules/tong-quan.md",
    )
    assert problems(course_copy) == [
        f"course/course.yml:{line}: học phần 'modules/khong-co.md' có trong course.yml nhưng không có tệp"
    ]


def test_unreadable_course_yaml(course_copy: Path) -> None:
    edit(course_copy, "course.yml", "title: Khóa học mẫu", "title: [Khóa học mẫu")
    [problem] = problems(course_copy)
    assert problem.startswith("course/course.yml:3: YAML không đọc được:")


def test_unreadable_front_matter(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "teaching: 5", "teaching: : 5")
    [problem] = problems(course_copy)
    assert problem == f"course/{MODULE}:{line}: YAML không đọc được: mapping values are not allowed here"


def test_stray_closing_marker(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "::: instructor", ":::\n\n::: instructor")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: dòng ':::' thừa: không có khối nào đang mở "
        "(khối lồng nhau cần ít dấu ':' hơn khối ngoài)"
    ]


def test_text_outside_blocks(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "::: instructor", "Một đoạn lạc.\n\n::: instructor")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: nội dung nằm ngoài khối: đặt nó vào một khối (ví dụ ::: lesson)"
    ]


def test_decomposed_unicode(course_copy: Path) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Ai ban hành Công văn số 1/MAU?")
    line = edit(course_copy, MODULE, "Ai ban hành Công văn số 1/MAU?", nfd)
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: chữ không ở dạng Unicode NFC (dấu tiếng Việt gõ tách rời): "
        "gõ lại hoặc chuẩn hóa NFC"
    ]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "  - next: chieu\n  - cites: officials.1\n  - consequence: Buổi",
            "  - next: chieu-2\n  - cites: officials.1\n  - consequence: Buổi",
            "next 'chieu-2' không phải node nào của tình huống",
        ),
        ("  - rating: violation\n", "", "hành động 'Uống một cốc cho vui.' thiếu trường 'rating'"),
        (
            "  - rating: acceptable",
            "  - rating: so-so",
            "rating phải là best, acceptable hoặc violation, không phải 'so-so'",
        ),
        (
            "  - cites: officials.1\n  - consequence: Khách phải",
            "  - consequence: Khách phải",
            "hành động 'Hẹn khách hôm khác.' thiếu trường 'cites'",
        ),
    ],
)
def test_scenario_action_problems(course_copy: Path, old: str, new: str, message: str) -> None:
    edit(course_copy, MODULE, old, new)
    found = problems(course_copy)
    assert len(found) == 1 and found[0].endswith(message), found


def test_unreachable_node(course_copy: Path) -> None:
    edit(
        course_copy,
        MODULE,
        ":::: node ket-thuc",
        ":::: node lac\nKhông ai tới đây.\n::::\n\n:::: node ket-thuc",
    )
    line = line_of(course_copy, MODULE, ":::: node lac")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: node 'lac' không thể đến được từ start 'trua'"]


def test_cycle_without_end(course_copy: Path) -> None:
    text = (course_copy / MODULE).read_text(encoding="utf-8")
    text = text.replace("  - next: ket-thuc\n", "  - next: trua\n")
    (course_copy / MODULE).write_text(text, encoding="utf-8")
    found = problems(course_copy)
    trua, chieu = (
        line_of(course_copy, MODULE, ":::: node trua"),
        line_of(course_copy, MODULE, ":::: node chieu"),
    )
    ket_thuc = line_of(course_copy, MODULE, ":::: node ket-thuc")
    assert found == [
        f"course/{MODULE}:{trua}: node 'trua' nằm trong vòng lặp không dẫn tới kết thúc",
        f"course/{MODULE}:{chieu}: node 'chieu' nằm trong vòng lặp không dẫn tới kết thúc",
        f"course/{MODULE}:{ket_thuc}: node 'ket-thuc' không thể đến được từ start 'trua'",
    ]


def test_decision_with_one_action(course_copy: Path) -> None:
    start = line_of(course_copy, MODULE, "- Hẹn khách hôm khác.")
    end = line_of(course_copy, MODULE, "  - rationale: Chưa sử dụng")
    path = course_copy / MODULE
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[: start - 1] + lines[end:]), encoding="utf-8")
    node = line_of(course_copy, MODULE, ":::: node chieu")
    assert problems(course_copy) == [f"course/{MODULE}:{node}: node 'chieu' cần từ 2 đến 4 hành động, có 1"]


def test_load_course_raises_with_every_problem(course_copy: Path) -> None:
    edit(course_copy, MODULE, "cites: doc\n\nAi ban hành", "cites: nope\n\nAi ban hành")
    with pytest.raises(ContentError) as caught:
        load_course(course_copy)
    assert "mã điều khoản không có trong Công văn: 'nope'" in str(caught.value)


def test_check_command_prints_problems_without_traceback(course_copy: Path) -> None:
    edit(course_copy, MODULE, "cites: doc\n\nAi ban hành", "cites: doc.9\n\nAi ban hành")
    done = subprocess.run(
        [sys.executable, "-m", "widgets", "check", str(course_copy)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert "mã điều khoản không có trong Công văn: 'doc.9'" in done.stdout


def test_check_command_passes_valid_content(fixture_course_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "widgets", "check", str(fixture_course_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "")


# ---- Every question type's own mistakes ---------------------------------------------------------


def test_multiple_choice_without_correct_choice(course_copy: Path) -> None:
    text = (course_copy / MODULE).read_text(encoding="utf-8")
    text = text.replace("- [x] Văn bản của UBND", "- [ ] Văn bản của UBND").replace(
        "- [x] Không uống bia", "- [ ] Không uống bia"
    )
    (course_copy / MODULE).write_text(text, encoding="utf-8")
    line = line_of(course_copy, MODULE, "- [ ] Văn bản của UBND")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: câu hỏi không có đáp án đúng nào ('[x]')"]


def test_matching_line_without_arrow(course_copy: Path) -> None:
    lines = line_of(course_copy, MODULE, "- Không uống bia trong giờ làm việc -> Được yêu cầu")
    pair = "- Uống bia trước giờ làm việc"
    line = edit(course_copy, MODULE, f"{pair} -> Bị cấm", pair)
    assert problems(course_copy) == [
        f"course/{MODULE}:{lines}: câu hỏi matching cần ít nhất 2 cặp và 2 nhóm khác nhau",
        f"course/{MODULE}:{line}: mỗi dòng của câu hỏi matching có dạng 'nội dung -> nhóm'",
    ]


def test_matching_with_one_category(course_copy: Path) -> None:
    edit(course_copy, MODULE, "-> Bị cấm", "-> Được yêu cầu")
    line = line_of(course_copy, MODULE, "- Không uống bia trong giờ làm việc -> Được yêu cầu")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: câu hỏi matching cần ít nhất 2 cặp và 2 nhóm khác nhau"
    ]


def test_matching_pair_without_feedback(course_copy: Path) -> None:
    line = line_of(course_copy, MODULE, "- Uống bia trước giờ làm việc -> Bị cấm")
    edit(course_copy, MODULE, "  > Văn bản cấm điều này.\n", "")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: cặp ghép thiếu phản hồi: thêm một dòng '> …' ngay dưới"
    ]


def test_ordering_needs_a_numbered_list(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "1. Một\n2. Hai\n3. Ba", "- Một\n- Hai\n- Ba")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: câu hỏi ordering dùng danh sách đánh số (1. 2. 3.) theo thứ tự đúng"
    ]


def test_ordering_needs_two_items(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "1. Một\n2. Hai\n3. Ba", "1. Một")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: câu hỏi ordering cần ít nhất 2 mục"]


def test_short_answer_without_accepted_answer(course_copy: Path) -> None:
    line = edit(course_copy, MODULE, "- [x] UBND tỉnh Mẫu", "- [ ] UBND tỉnh Mẫu")
    assert problems(course_copy) == [f"course/{MODULE}:{line}: câu hỏi không có đáp án đúng nào ('[x]')"]


def test_question_without_answer_list(course_copy: Path) -> None:
    block = line_of(course_copy, MODULE, ":::: question q-ruou")
    edit(
        course_copy,
        MODULE,
        "- [ ] Đúng\n  > Chưa đúng: không uống rượu, bia *trước* giờ làm việc.\n"
        "- [x] Sai\n  > Đúng: cấm cả trước và trong giờ làm việc.\n",
        "",
    )
    assert problems(course_copy) == [f"course/{MODULE}:{block}: câu hỏi 'q-ruou' thiếu danh sách đáp án"]


# ---- The rest of the scenario mistakes and duplicate IDs --------------------------------------


def test_scenario_start_is_not_a_node(course_copy: Path) -> None:
    block = line_of(course_copy, MODULE, "::::: scenario sc-bia")
    edit(course_copy, MODULE, "start: trua", "start: sang")
    assert problems(course_copy) == [
        f"course/{MODULE}:{block}: start 'sang' không phải node nào của tình huống"
    ]


def test_scenario_without_end_node(course_copy: Path) -> None:
    block = line_of(course_copy, MODULE, "::::: scenario sc-bia")
    chieu = line_of(course_copy, MODULE, ":::: node chieu")
    end = ":::: node ket-thuc\nKết thúc tình huống.\n\n::: interpretation\n"
    end += "Cách hiểu của khóa học: từ chối lời mời là cách giữ `officials.1` dễ nhất.\n:::\n::::\n"
    edit(course_copy, MODULE, end, "")
    found = problems(course_copy)
    dangling = [  # reported at the action whose next names no node
        line_of(course_copy, MODULE, "- Tiếp khách chu đáo."),
        line_of(course_copy, MODULE, "- Hẹn khách hôm khác."),
    ]
    trua = line_of(course_copy, MODULE, ":::: node trua")
    assert found == sorted(
        [
            f"course/{MODULE}:{block}: tình huống 'sc-bia' không có node kết thúc (node không có hành động)",
            *(f"course/{MODULE}:{n}: next 'ket-thuc' không phải node nào của tình huống" for n in dangling),
            f"course/{MODULE}:{trua}: node 'trua' nằm trong vòng lặp không dẫn tới kết thúc",
            f"course/{MODULE}:{chieu}: node 'chieu' nằm trong vòng lặp không dẫn tới kết thúc",
        ],
        key=lambda text: int(text.split(":")[1]),
    )


def test_duplicate_node_id(course_copy: Path) -> None:
    line = line_of(course_copy, MODULE, ":::: node chieu")
    edit(course_copy, MODULE, ":::: node chieu", ":::: node trua")
    assert f"course/{MODULE}:{line}: node 'trua' bị trùng mã" in problems(course_copy)


def test_action_without_consequence_or_rationale(course_copy: Path) -> None:
    line = line_of(course_copy, MODULE, "- Tiếp khách chu đáo.")
    edit(course_copy, MODULE, "  - consequence: Khách hài lòng.\n", "")
    edit(course_copy, MODULE, "  - rationale: Sử dụng thời giờ làm việc hiệu quả.\n", "")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: hành động 'Tiếp khách chu đáo.' thiếu trường 'consequence'",
        f"course/{MODULE}:{line}: hành động 'Tiếp khách chu đáo.' thiếu trường 'rationale'",
    ]


def test_duplicate_module_id(course_copy: Path) -> None:
    module = (course_copy / MODULE).read_text(encoding="utf-8")
    other = module.replace("q-", "r-").replace("sc-bia", "sc-bia-2")
    (course_copy / "modules" / "ban-sao.md").write_text(other, encoding="utf-8")
    edit(
        course_copy,
        "course.yml",
        "  - file: modules/tong-quan.md",
        "  - file: modules/tong-quan.md\n  - file: modules/ban-sao.md",
    )
    assert problems(course_copy) == [
        f"course/modules/ban-sao.md:1: mã học phần 'tong-quan' đã dùng ở course/{MODULE}:1"
    ]


FIXTURE_IMAGE = Path(__file__).parents[1] / "fixtures" / "images" / "scenario-node.png"
NODE_TRUA = ":::: node trua\ncites: officials.1\n"


def with_image(root: Path, fields: str, *, copy_image: bool = True) -> int:
    """Give node 'trua' ``fields`` (image lines); return the line of its first field."""
    if copy_image:
        (root / "modules" / "anh").mkdir()
        shutil.copy(FIXTURE_IMAGE, root / "modules" / "anh" / "trua.png")
    return edit(root, MODULE, NODE_TRUA, NODE_TRUA + fields) + 2


def test_scenario_node_image_with_alt_text_is_read(course_copy: Path) -> None:
    with_image(course_copy, "image: anh/trua.png\nimage-alt: Hai người trong phòng ăn trưa\n")
    assert problems(course_copy) == []
    node = load_course(course_copy).module("tong-quan").scenarios[0].node("trua")
    assert Path(node.image or "") == (course_copy / "modules" / "anh" / "trua.png").resolve()
    assert node.image_alt == "Hai người trong phòng ăn trưa"
    assert node.text == "Đồng nghiệp rủ uống bia lúc nghỉ trưa."  # the fields are not text


def test_scenario_node_image_file_missing(course_copy: Path) -> None:
    line = with_image(course_copy, "image: anh/khong-co.png\nimage-alt: Ảnh\n", copy_image=False)
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: không tìm thấy tệp ảnh 'anh/khong-co.png' "
        "(tính từ thư mục của tệp học phần)"
    ]


def test_scenario_node_image_without_alt_text(course_copy: Path) -> None:
    line = with_image(course_copy, "image: anh/trua.png\n")
    assert problems(course_copy) == [
        f"course/{MODULE}:{line}: ảnh 'anh/trua.png' thiếu trường 'image-alt' "
        "(mô tả ảnh cho người không xem được ảnh)"
    ]


def test_scenario_node_alt_text_without_image(course_copy: Path) -> None:
    line = with_image(course_copy, "image-alt: Ảnh\n", copy_image=False)
    assert problems(course_copy) == [f"course/{MODULE}:{line}: có 'image-alt' nhưng node không có 'image'"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://example.org/a.png", "phải là tệp trong thư mục nội dung (đường dẫn tương đối)"),
        ("anh/trua.svg", "phải là tệp .png, .jpg, .jpeg, .gif, .webp"),
    ],
)
def test_scenario_node_image_must_be_a_local_picture(course_copy: Path, value: str, message: str) -> None:
    line = with_image(course_copy, f"image: {value}\nimage-alt: Ảnh\n")
    [found] = problems(course_copy)
    assert found.startswith(f"course/{MODULE}:{line}: ảnh '{value}' {message}"), found


def test_scenario_node_image_too_large(course_copy: Path) -> None:
    line = with_image(course_copy, "image: anh/trua.png\nimage-alt: Ảnh\n")
    (course_copy / "modules" / "anh" / "trua.png").write_bytes(b"\x89PNG" + bytes(600 * 1024))
    assert problems(course_copy) == [f"course/{MODULE}:{line}: ảnh 'anh/trua.png' nặng 600 KB, tối đa 512 KB"]
