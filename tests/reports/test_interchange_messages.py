"""Merge's message policy and its reuse of the records layer (issue 19).

A skipped line is an English :class:`StatementError` with a code, said to the trainer in the
catalogue's words; the values the records refuse are ``rows.FieldError`` (English, with a code);
an attempt merged from a kiosk is not held to the final's daily limit that the store applies.
"""

from __future__ import annotations

import ast
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.i18n import catalogue
from widgets.records import db, rows
from widgets.records.errors import AttemptLimitError
from widgets.records.identity import STAFF
from widgets.records.interchange import merge, parse
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.policy import FINAL_ID, MAX_FINAL_ATTEMPTS_PER_DAY
from widgets.records.schema import attempts
from widgets.records.store import Store

INTERCHANGE = Path(parse.__file__).parent
VIETNAMESE = set("àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ")


def test_a_skipped_line_is_english_for_developers_and_vietnamese_for_the_trainer(store: Store) -> None:
    line = json.dumps({"id": "không-phải-uuid", "verb": {"id": "x"}})
    with pytest.raises(parse.StatementError) as caught:
        parse.parse_line(line, 1)
    error = caught.value
    assert error.code == "uuid"
    assert str(error) == "id is not a UUID: 'không-phải-uuid'"
    assert error.text() == "id không phải UUID: 'không-phải-uuid'"
    report = merge.import_lines(store.engine, ["", line, "{"], "kiosk.jsonl")
    assert [number for number, _ in report.skipped] == [2, 3]
    assert report.errors == [
        (2, "id không phải UUID: 'không-phải-uuid'"),
        (3, "không phải JSON hợp lệ (Expecting property name enclosed in double quotes, cột 2)"),
    ]


def test_the_trainer_reads_the_interface_language(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEUGUONG_LANG", "en")
    report = merge.import_lines(store.engine, ["[]"])
    assert report.errors == [(1, "the JSON line is not an xAPI statement (an object {…} is needed)")]


def test_every_code_raised_has_a_message_in_both_catalogues() -> None:
    codes: set[str] = set()
    for path in INTERCHANGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id in ("StatementError", "_expect"):
                arg = node.args[0 if node.func.id == "StatementError" else 1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):  # not the forwarding calls
                    codes.add(arg.value)
    codes |= {"uuid", "text", "number", "positive"}  # rows.FieldError codes, via StatementError.of
    assert len(codes) > 30
    for language in ("vi", "en"):
        missing = {code for code in codes if f"{parse.KEYS}{code}" not in catalogue(language)}
        assert missing == set(), language
    for code in codes:
        assert not VIETNAMESE & set(catalogue("en")[parse.KEYS + code].lower()), code


@pytest.mark.parametrize(
    ("call", "code"),
    [
        (lambda: rows.uuid_text("x", "id"), "uuid"),
        (lambda: rows.as_uuid("x"), "uuid"),
        (lambda: rows.text_id("x" * 13, "code", 12), "text"),
        (lambda: rows.text_id("", "module_id"), "text"),
        (lambda: rows.finite(True, "score"), "number"),
        (lambda: rows.finite("1.5", "score"), "number"),
        (lambda: rows.finite(float("inf"), "score"), "number"),
        (lambda: rows.positive(True, "try_no"), "positive"),
        (lambda: rows.positive(0, "try_no"), "positive"),
    ],
)
def test_the_records_validators_raise_english_field_errors(call: Callable[[], object], code: str) -> None:
    with pytest.raises(rows.FieldError) as caught:
        call()
    assert caught.value.code == code
    assert not VIETNAMESE & set(str(caught.value).lower())


def test_a_kiosk_s_finals_merge_past_the_store_s_daily_limit(
    store: Store, make_store: Callable[[str], Store]
) -> None:
    kiosk = make_store("kiosk")
    moment = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    kiosk.clock = lambda: moment
    learner = kiosk.sign_in("Nguyễn Văn An", "Sở Tư pháp", STAFF)
    for _ in range(MAX_FINAL_ATTEMPTS_PER_DAY):
        kiosk.start_attempt(learner.id, FINAL_ID, module_id="kiem-tra")
    with pytest.raises(AttemptLimitError):
        kiosk.start_attempt(learner.id, FINAL_ID, module_id="kiem-tra")
    extra = str(uuid.uuid4())  # one more, as a kiosk without the limit (an older version) wrote it
    values: dict[str, object] = {"id": extra, "learner_id": learner.id, "kind": "quiz"}
    values |= {"activity_id": FINAL_ID, "module_id": "kiem-tra", "started_at": moment + timedelta(minutes=5)}
    db.write(kiosk.engine, lambda conn: conn.execute(sa.insert(attempts).values(**values)))
    lines = list(iter_json_lines(export_statements(kiosk.engine, with_names=True)))
    report = merge.import_lines(store.engine, lines)
    assert report.errors == []
    assert report.added["attempts"] == MAX_FINAL_ATTEMPTS_PER_DAY + 1
    assert not merge.import_lines(store.engine, lines).changed
