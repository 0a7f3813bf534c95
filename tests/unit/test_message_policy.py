"""One message policy (issue 19, CONTRIBUTING.md "Messages"): what learners, trainers and authors read
comes from the catalogue (``widgets/i18n/vi.yml``, read with ``t("key")``), so no Python string in
``widgets/`` holds Vietnamese, and every key the code asks for is in the catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from widgets.i18n import catalogue

WIDGETS = Path(__file__).resolve().parents[2] / "widgets"
VIETNAMESE = re.compile(
    "[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE
)
PROPER_NAMES = ("Voilà", "Nêu gương")
"""Names an English developer message may hold (they are not text to translate)."""

DATA = {
    # Words authors write in content/ and the parser reads: the course's syntax, not messages.
    ("content/fields.py", "có"): "a yes in a true/false field",
    ("content/fields.py", "không"): "a no in a true/false field",
    ("content/questions.py", "Đúng"): "the answer text of a true-false question",
    # Values stored in the records (learners.role) and compared, not shown as messages.
    ("records/identity.py", "lãnh đạo"): "a stored role",
    ("records/identity.py", "cán bộ, công chức, viên chức"): "a stored role",
    # Stored as a merged learner's name until the name arrives, then matched in SQL to replace it:
    # it must not change with the interface language.
    ("records/interchange/merge.py", "Người học {short} (chưa có tên)"): "a stored placeholder name",
    # Letters for folding and sorting Vietnamese text.
    ("collation.py", "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"): "the Vietnamese alphabet's order",
    ("engine/text.py", "đ"): "folded to d when comparing answers",
    ("knowledge.py", "đ"): "folded to d when searching",
    ("interop/naming.py", "đ"): "folded to d in IDs",
    ("interop/naming.py", "Đ"): "folded to D in IDs",
    ("reports/roster.py", "đ"): "folded to d in a roster's column names",
}
"""(file under widgets/, string) → why that Vietnamese literal is data rather than a message."""


def _notes(tree: ast.AST) -> set[int]:
    """IDs of the string constants that stand alone as statements (docstrings, attribute notes)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def vietnamese_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal in ``source`` with Vietnamese in it, docstrings and
    comments aside; an f-string counts once, by its literal parts."""
    tree = ast.parse(source)
    notes = _notes(tree)
    inside_fstrings = {
        id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(p.value for p in node.values if isinstance(p, ast.Constant))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in notes or id(node) in inside_fstrings:
                continue
            text = node.value
        else:
            continue
        bare = text
        for name in PROPER_NAMES:
            bare = bare.replace(name, "")
        if VIETNAMESE.search(bare):
            found.append((node.lineno, text))
    return sorted(found)


def python_files() -> list[Path]:
    return sorted(p for p in WIDGETS.rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", python_files(), ids=lambda p: str(p.relative_to(WIDGETS)))
def test_no_vietnamese_literal_in_python_code(path: Path) -> None:
    name = path.relative_to(WIDGETS).as_posix()
    found = vietnamese_literals(path.read_text(encoding="utf-8"))
    messages = [(line, text) for line, text in found if (name, text) not in DATA]
    assert messages == [], f"{name}: move these into widgets/i18n/vi.yml and en.yml, read them with t()"


def test_the_data_list_names_only_literals_still_there() -> None:
    present = {
        (path.relative_to(WIDGETS).as_posix(), text)
        for path in python_files()
        for _, text in vietnamese_literals(path.read_text(encoding="utf-8"))
    }
    assert set(DATA) <= present, "a listed literal is gone: drop it from DATA"


def test_the_scanner_sees_messages_and_skips_notes() -> None:
    source = (
        '"""Tài liệu."""\n'
        "# Chú thích\n"
        'label = "Kiểm tra"\n'
        'raise ValueError(f"{x} không hợp lệ")\n'
        'log = "Voilà started"\n'
        'text = f"{a}: {b}"\n'
    )
    assert vietnamese_literals(source) == [(3, "Kiểm tra"), (4, " không hợp lệ")]


def keys_in_code() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(file, key) for every ``t("key", …)`` in widgets/ (Python and Jinja templates), and
    (file, prefix) for every ``t(f"prefix{…}")``."""
    keys: set[tuple[str, str]] = set()
    prefixes: set[tuple[str, str]] = set()
    for path in python_files():
        name = path.relative_to(WIDGETS).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"):
                continue
            if not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add((name, first.value))
            elif isinstance(first, ast.JoinedStr) and isinstance(first.values[0], ast.Constant):
                prefixes.add((name, str(first.values[0].value)))
    call = re.compile(r"""\bt\(\s*(["'])([\w.\-]+)\1""")
    for path in sorted(WIDGETS.rglob("*.j2")):
        name = path.relative_to(WIDGETS).as_posix()
        for match in call.finditer(path.read_text(encoding="utf-8")):
            (prefixes if match.group(2).endswith(".") else keys).add((name, match.group(2)))  # t("a." ~ x)
    return keys, prefixes


def test_every_catalogue_key_used_in_code_exists() -> None:
    keys, prefixes = keys_in_code()
    assert len(keys) > 500  # the walk still finds the code's keys
    for language in ("vi", "en"):
        known = catalogue(language)
        assert sorted((f, k) for f, k in keys if k not in known) == [], language
        assert sorted((f, p) for f, p in prefixes if not any(k.startswith(p) for k in known)) == [], language
