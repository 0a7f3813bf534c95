"""Read one xAPI statement this kit writes (:mod:`~widgets.records.interchange.xapi`) into the
rows it stands for, or say why not.

A line that is not valid JSON, or not a statement of this kit, raises :class:`StatementError`:
its message is English, for developers; its ``code`` and ``values`` name the problem, which the
trainer reads in the catalogue's words (``records.import.<code>`` in ``widgets/i18n/vi.yml``)
through :meth:`StatementError.text`. Values are checked by the records' own validators
(:mod:`widgets.records.rows`, :mod:`widgets.records.identity`, :mod:`widgets.records.signing`).
"""

from __future__ import annotations

import dataclasses as dc
import json
from datetime import datetime
from typing import Any

from widgets.i18n import catalogue, t
from widgets.records import identity, rows, signing
from widgets.records.errors import SignInError
from widgets.records.interchange.xapi import ADL, finish_id, parse_activity_iri

KEYS = "records.import."
"""Catalogue prefix of the messages."""
RATINGS = ("best", "acceptable", "violation")


class StatementError(ValueError):
    """A line that is not a statement this kit can import (English message; see the module)."""

    def __init__(self, code: str, /, **values: object) -> None:
        english = catalogue("en")[KEYS + code]
        super().__init__(english.format(**values) if values else english)
        self.code = code
        self.values = values

    @classmethod
    def of(cls, error: rows.FieldError) -> StatementError:
        """The same problem as a value the records refuse."""
        return cls(error.code, name=error.field, **error.values)

    def text(self) -> str:
        """The message in the interface's language (Vietnamese by default)."""
        return t(KEYS + self.code, **self.values)


@dc.dataclass(frozen=True, slots=True)
class LearnerInfo:
    id: str
    name: str | None
    unit: str
    role: str
    created_at: datetime
    staff_code: str | None


@dc.dataclass(frozen=True, slots=True)
class AttemptInfo:
    id: str
    kind: str
    activity_id: str
    module_id: str
    started_at: datetime


@dc.dataclass(frozen=True, slots=True)
class Parsed:
    line: int
    kind: str
    """``attempted``, ``answer``, ``choice``, ``finish``, ``certificate`` or ``pledge``."""
    learner: LearnerInfo
    attempt: AttemptInfo | None
    row: dict[str, object]
    signature: dict[str, str] | None = None
    """A certificate's signature: ``key``, ``public_key`` and ``value``."""


def parse_line(line: str, number: int = 0) -> Parsed:
    """One JSON line → :class:`Parsed`, or :class:`StatementError`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise StatementError("json", reason=error.msg, column=error.colno) from None
    if not isinstance(data, dict):
        raise StatementError("not_object")
    try:
        return _parse(data, number)
    except (KeyError, TypeError, AttributeError) as error:
        raise StatementError("field", detail=error) from None
    except rows.FieldError as error:
        raise StatementError.of(error) from None
    except SignInError as error:
        raise StatementError("learner", detail=error.message) from None


# Any below: a statement from another machine, read by key as it comes; a missing or mistyped field
# raises KeyError, TypeError or AttributeError, which parse_line reports as StatementError("field").
def _parse(data: dict[str, Any], number: int) -> Parsed:
    sid = rows.uuid_text(data["id"], "id")
    verb_iri = data["verb"]["id"]
    if not isinstance(verb_iri, str) or not verb_iri.startswith(ADL):
        raise StatementError("verb", verb=verb_iri)
    verb = verb_iri[len(ADL) :]
    at = _time(data["timestamp"], "timestamp")
    context = data.get("context") or {}
    ext = _extensions(context.get("extensions") or {})
    learner = _learner(data["actor"], ext.get("learner") or {}, at)
    kind, activity_id, node_id = _activity(data["object"]["id"])
    result = data.get("result") or {}
    rext = _extensions(result.get("extensions") or {})
    if verb == "completed" and kind == "course":
        cert = rext["certificate"]
        row = {
            "id": sid,
            "code": rows.text_id(cert["code"], "code", 12),
            "score_percent": rows.finite(cert["score_percent"], "score_percent"),
            "attempt_id": rows.uuid_text(cert["attempt"], "attempt"),
            "issued_at": at,
        }
        return Parsed(number, "certificate", learner, None, row, _signature(cert.get("signature")))
    if verb == "completed" and kind == "pledge":
        text = result["response"]
        _expect(isinstance(text, str), "pledge_response")
        row = {"id": sid, "text": identity.normalise_pledge(text), "pledged_at": at}
        return Parsed(number, "pledge", learner, None, row)
    attempt = _attempt(context, ext)
    if verb == "attempted":
        _expect(sid == attempt.id, "attempted_id")
        return Parsed(number, "attempted", learner, attempt, {})
    if verb == "answered" and kind == "question":
        _expect(attempt.kind in ("quiz", "review"), "answer_attempt")
        info = rext["answer"]
        score = rows.finite(result["score"]["raw"], "score")
        maximum = rows.finite(result["score"]["max"], "max")
        _expect(0 <= score <= maximum + 1e-9, "score_range")
        cites = info.get("cites", [])
        _expect(isinstance(cites, list) and all(isinstance(c, str) for c in cites), "cites")
        response = result["response"]
        _expect(isinstance(response, str), "response_type")
        try:
            canonical = json.dumps(json.loads(response), ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            raise StatementError("response_json") from None
        row = {
            "id": sid,
            "module_id": rows.text_id(info.get("module") or attempt.module_id, "module"),
            "question_id": rows.text_id(activity_id, "question"),
            "try_no": rows.positive(info["try"], "try"),
            "response": canonical,
            "score": score,
            "max_score": maximum,
            "correct": _bool(result["success"], "success"),
            "cites": json.dumps(cites, ensure_ascii=False, separators=(",", ":")),
            "answered_at": at,
        }
        return Parsed(number, "answer", learner, attempt, row)
    if verb == "answered" and kind == "scenario" and node_id is not None:
        _expect(
            attempt.kind == "review" or (attempt.kind == "scenario" and attempt.activity_id == activity_id),
            "choice_scenario",
        )
        info = rext["choice"]
        _expect(info["rating"] in RATINGS, "rating", rating=info["rating"])
        step = info["step"]
        _expect(isinstance(step, int) and not isinstance(step, bool) and step >= 0, "step")
        row = {
            "id": sid,
            "module_id": rows.text_id(info.get("module") or attempt.module_id, "module"),
            "scenario_id": activity_id,
            "step_no": step,
            "node_id": rows.text_id(node_id, "node"),
            "action_id": rows.text_id(result["response"], "response"),
            "rating": info["rating"],
            "next_node_id": rows.text_id(info["next"], "next"),
            "chosen_at": at,
        }
        return Parsed(number, "choice", learner, attempt, row)
    if verb in ("passed", "failed", "completed") and kind in ("quiz", "scenario", "review"):
        _expect(sid == finish_id(attempt.id), "finish_id")
        _expect((kind == "quiz") == (attempt.kind == "quiz"), "finish_kind")
        _expect((kind == "review") == (attempt.kind == "review"), "finish_kind")
        _expect(verb != "completed" or kind != "quiz", "quiz_finish")
        _expect(kind != "review" or verb == "completed", "review_finish")
        marks = result.get("score") or {}
        finish = _extensions(result.get("extensions") or {}).get("finish") or {}
        row = {
            "finished_at": at,
            "score": rows.finite(marks["raw"], "score") if "raw" in marks else None,
            "max_score": rows.finite(marks["max"], "max") if "max" in marks else None,
        }
        if kind == "quiz":
            row["passed"] = verb == "passed"
            mark = finish.get("pass_mark")
            row["pass_mark"] = int(mark) if isinstance(mark, int) and not isinstance(mark, bool) else None
        else:
            end = finish.get("end_node")
            row["end_node_id"] = rows.text_id(end, "end_node") if end is not None else None
        return Parsed(number, "finish", learner, attempt, row)
    raise StatementError("unknown", verb=verb, kind=kind)


def _signature(value: object) -> dict[str, str] | None:
    """A certificate's signature extension, checked for shape (its key matches its fingerprint)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise StatementError("signature_type")
    try:
        public = signing.decode_public(value.get("public_key"))
    except signing.SigningKeyError as error:
        raise StatementError("signing_key", detail=error.message) from None
    key = value.get("key")
    _expect(key == signing.key_id(public), "key_mismatch")
    signature = rows.text_id(value.get("value"), "signature", 100)
    return {"key": str(key), "public_key": signing.encode(public), "value": signature}


def _extensions(ext: object) -> dict[str, Any]:
    """Extension name → value, whatever home page the IRIs were written under."""
    if not isinstance(ext, dict):
        raise StatementError("extensions")
    out = {}
    for key, value in ext.items():
        if isinstance(key, str) and "/xapi/extensions/" in key:
            out[key.rsplit("/", 1)[-1]] = value
    return out


def _learner(actor: dict[str, Any], info: dict[str, Any], at: datetime) -> LearnerInfo:
    learner_id = rows.uuid_text(actor["account"]["name"], "actor.account.name")
    name = actor.get("name")
    return LearnerInfo(
        id=learner_id,
        name=identity.normalise_name(name) if name is not None else None,
        unit=identity.normalise_unit(info["unit"]),
        role=identity.normalise_role(info["role"]),
        created_at=_time(info["created"], "created") if info.get("created") else at,
        staff_code=identity.normalise_staff_code(info.get("staff_code")),
    )


def _attempt(context: dict[str, Any], ext: dict[str, Any]) -> AttemptInfo:
    info = ext["attempt"]
    attempt_id = rows.uuid_text(info["id"], "attempt.id")
    _expect(context.get("registration") == attempt_id, "registration")
    _expect(info["kind"] in ("quiz", "scenario", "review"), "attempt_kind", kind=info["kind"])
    return AttemptInfo(
        id=attempt_id,
        kind=info["kind"],
        activity_id=rows.text_id(info["activity"], "activity"),
        module_id=rows.text_id(info["module"], "module"),
        started_at=_time(info["started"], "started"),
    )


def _activity(iri: object) -> tuple[str, str, str | None]:
    if not isinstance(iri, str):
        raise StatementError("object_iri")
    try:
        return parse_activity_iri(iri)
    except ValueError:
        raise StatementError("activity", iri=iri) from None


def _expect(condition: bool, code: str, **values: object) -> None:
    if not condition:
        raise StatementError(code, **values)


def _time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise StatementError("time_type", name=name)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise StatementError("time", name=name, value=value) from None
    if moment.tzinfo is None:
        raise StatementError("timezone", name=name, value=value)
    return moment


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise StatementError("bool", name=name)
    return value
