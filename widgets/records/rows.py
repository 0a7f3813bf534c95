"""Rows to records and values to columns: converters, JSON codecs and value checks."""

from __future__ import annotations

import dataclasses as dc
import json
import math
import uuid
from datetime import UTC, datetime
from numbers import Real
from typing import Any, TypeVar, cast

from sqlalchemy.engine import Row

from widgets.engine.results import Response
from widgets.jsonvalue import JsonValue
from widgets.records.models import (
    AttemptSummary,
    Certificate,
    Learner,
    Pledge,
    StoredAnswer,
    StoredChoice,
)

T = TypeVar("T")


def learner(row: Row[Any]) -> Learner:
    return Learner(
        id=row.id,
        full_name=row.full_name,
        unit=row.unit,
        role=row.role,
        staff_code=row.staff_code,
        created_at=row.created_at,
    )


def attempt(row: Row[Any]) -> AttemptSummary:
    return AttemptSummary(
        id=row.id,
        learner_id=row.learner_id,
        kind=row.kind,
        activity_id=row.activity_id,
        module_id=row.module_id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        score=row.score,
        max_score=row.max_score,
        passed=row.passed,
        pass_mark=row.pass_mark,
        end_node_id=row.end_node_id,
    )


def answer(row: Row[Any]) -> StoredAnswer:
    return StoredAnswer(
        id=row.id,
        attempt_id=row.attempt_id,
        learner_id=row.learner_id,
        module_id=row.module_id,
        question_id=row.question_id,
        try_no=row.try_no,
        response=decode_response(row.response),
        score=row.score,
        max_score=row.max_score,
        correct=bool(row.correct),
        cites=tuple(json.loads(row.cites)),
        answered_at=row.answered_at,
    )


def _from_row(cls: type[T], row: Row[Any]) -> T:
    # A record dataclass built by field name: mypy cannot check keyword names against a TypeVar.
    return cls(**{field.name: getattr(row, field.name) for field in dc.fields(cls)})  # type: ignore[arg-type]


def choice(row: Row[Any]) -> StoredChoice:
    return _from_row(StoredChoice, row)


def pledge(row: Row[Any]) -> Pledge:
    return _from_row(Pledge, row)


def certificate(row: Row[Any]) -> Certificate:
    return _from_row(Certificate, row)


def jsonable_row(row: Row[Any]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in row._mapping.items():
        if isinstance(value, datetime):
            value = iso(value)
        elif key in ("response", "cites"):
            value = json.loads(value)
        out[key] = value
    return out


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def encode_json(value: object) -> str:
    data = _plain(value)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them, escaped
        text = json.dumps(data, separators=(",", ":"))
    return text


def _plain(value: object) -> object:
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def decode_response(text: str) -> Response:
    def tuplify(value: JsonValue) -> object:
        return tuple(tuplify(item) for item in value) if isinstance(value, list) else value

    return cast(Response, tuplify(json.loads(text)))  # JSON the store wrote itself (encode_response)


class FieldError(ValueError):
    """A value a column cannot hold. The message is English, for developers; ``code`` (``uuid``,
    ``text``, ``number`` or ``positive``), ``field`` and ``values`` let a caller whose reader is
    a trainer (a merged file) say it in the catalogue's words."""

    def __init__(self, message: str, code: str, field: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.values = values


def as_uuid(value: str | None) -> str:
    """``value`` as a canonical UUID, or a new random one for ``None``."""
    return str(uuid.uuid4()) if value is None else uuid_text(value, "id")


def uuid_text(value: object, name: str) -> str:
    """``value`` (a UUID in any of its spellings) as a canonical UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise FieldError(f"not a UUID: {value!r}", "uuid", name, value=value) from None


def text_id(value: object, name: str, limit: int = 200) -> str:
    """A non-empty string of at most ``limit`` characters, without NUL."""
    if not isinstance(value, str) or not value or len(value) > limit or "\x00" in value:
        raise FieldError(
            f"{name} must be a non-empty string of at most {limit} characters", "text", name, limit=limit
        )
    return value


def finite(value: object, name: str) -> float:
    """A finite real number (not a bool, not a string), as a float."""
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise FieldError(f"{name} must be a finite number", "number", name)
    return float(value)


def positive(value: object, name: str) -> int:
    """An integer ≥ 1 (not a bool). The checks guard untyped callers (merged files, CLI input)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError(f"{name} must be a positive integer", "positive", name)
    return value
