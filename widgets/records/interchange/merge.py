"""Merge xAPI JSON lines (from :mod:`widgets.records.interchange.xapi`) into a records store, idempotently.

Each statement maps to rows under the IDs it carries (the kiosk's own UUIDs), written with
``INSERT … ON CONFLICT DO NOTHING``; finishing an attempt updates it only while it is still
open. So importing a file twice changes nothing, and overlapping exports from several
kiosks merge without duplicates. A line that is not valid JSON, or not a statement this kit
writes, is reported with its line number and skipped; every other line is imported.

A learner exported without a name is stored under a placeholder name with an empty name key
(so no sign-in by name can match it; the learner's UUID still can), and so is the name on
their certificate and their pledge; a later import of the same learner with a name fills
them in. A pledge is kept once per learner (the first one merged), like a certificate.

A certificate signed by its kiosk (:mod:`widgets.records.signing`) keeps its signature. The
kiosk's public key, which comes with it, is recorded as trusted the first time it is seen
(trust on first import, labelled with the file it came from and sealed with this
installation's certificate secret); with ``pinned_only`` an unknown key is refused instead and
only keys pinned beforehand (``neuguong records keys --trust``) are accepted. A key already
recorded under the same fingerprint with other bytes is refused.
"""

from __future__ import annotations

import dataclasses as dc
import json
import math
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.records import db, identity, signing
from widgets.records.errors import SignInError
from widgets.records.interchange.xapi import ADL, finish_id, parse_activity_iri
from widgets.records.schema import (
    answers,
    attempts,
    certificate_signatures,
    certificates,
    learner_aliases,
    learners,
    pledges,
    scenario_choices,
    signing_keys,
)

CHUNK = 500
"""Statements written per transaction."""
PLACEHOLDER = "Người học {short} (chưa có tên)"
RATINGS = ("best", "acceptable", "violation")


class StatementError(ValueError):
    """A line that is not a statement this kit can import; the message is Vietnamese."""


@dc.dataclass
class ImportReport:
    source: str = ""
    lines: int = 0
    statements: int = 0
    added: Counter[str] = dc.field(default_factory=Counter)
    """Table → rows inserted."""
    updated: Counter[str] = dc.field(default_factory=Counter)
    unchanged: int = 0
    """Statements already present (nothing written)."""
    errors: list[tuple[int, str]] = dc.field(default_factory=list)
    """(line number, Vietnamese message) for every line skipped."""
    new_keys: list[str] = dc.field(default_factory=list)
    """Fingerprints of the kiosk keys first trusted by this import."""
    secret: bytes | None = dc.field(default=None, repr=False)
    """This installation's certificate secret, to seal newly trusted keys (``None``: the
    certificates are merged without their signatures)."""
    pinned_only: bool = False

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or sum(self.updated.values()))


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
    row: dict[str, Any]
    signature: dict[str, str] | None = None
    """A certificate's signature: ``key``, ``public_key`` and ``value``."""


def import_lines(
    engine: Engine,
    lines: Iterable[str],
    source: str = "",
    *,
    secret: bytes | None = None,
    pinned_only: bool = False,
) -> ImportReport:
    """Parse and merge every line; see the module docstring. ``secret``: this installation's
    certificate secret, which seals the kiosk keys trusted on first import."""
    report = ImportReport(source=source, secret=secret, pinned_only=pinned_only)
    batch: list[Parsed] = []
    for number, line in enumerate(lines, start=1):
        report.lines = number
        if not line.strip():
            continue
        try:
            batch.append(parse_line(line, number))
        except StatementError as error:
            report.errors.append((number, str(error)))
            continue
        if len(batch) >= CHUNK:
            _apply(engine, batch, report)
            batch = []
    if batch:
        _apply(engine, batch, report)
    report.errors.sort()
    return report


def import_file(
    engine: Engine, path: Path, *, secret: bytes | None = None, pinned_only: bool = False
) -> ImportReport:
    """Merge one ``.jsonl`` file (UTF-8, with or without BOM)."""
    with Path(path).open(encoding="utf-8-sig", errors="replace") as handle:
        return import_lines(engine, handle, str(path), secret=secret, pinned_only=pinned_only)


# ---------------------------------------------------------------------------- parsing


def parse_line(line: str, number: int = 0) -> Parsed:
    """One JSON line → :class:`Parsed`, or :class:`StatementError`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise StatementError(f"không phải JSON hợp lệ ({error.msg}, cột {error.colno})") from None
    if not isinstance(data, dict):
        raise StatementError("dòng JSON không phải một câu lệnh xAPI (cần một đối tượng {…})")
    try:
        return _parse(data, number)
    except (KeyError, TypeError, AttributeError) as error:
        raise StatementError(f"câu lệnh thiếu hoặc sai trường {error}") from None
    except SignInError as error:
        raise StatementError(f"thông tin người học không hợp lệ: {error.message}") from None


def _parse(data: dict[str, Any], number: int) -> Parsed:
    sid = _uuid(data["id"], "id")
    verb_iri = data["verb"]["id"]
    if not isinstance(verb_iri, str) or not verb_iri.startswith(ADL):
        raise StatementError(f"động từ không được hỗ trợ: {verb_iri!r}")
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
            "code": _text(cert["code"], "code", 12),
            "score_percent": _number(cert["score_percent"], "score_percent"),
            "attempt_id": _uuid(cert["attempt"], "attempt"),
            "issued_at": at,
        }
        return Parsed(number, "certificate", learner, None, row, _signature(cert.get("signature")))
    if verb == "completed" and kind == "pledge":
        text = result["response"]
        _expect(isinstance(text, str), "response của cam kết phải là chuỗi")
        row = {"id": sid, "text": identity.normalise_pledge(text), "pledged_at": at}
        return Parsed(number, "pledge", learner, None, row)
    attempt = _attempt(context, ext)
    if verb == "attempted":
        if sid != attempt.id:
            raise StatementError("câu lệnh attempted phải mang mã của chính lượt làm bài")
        return Parsed(number, "attempted", learner, attempt, {})
    if verb == "answered" and kind == "question":
        _expect(
            attempt.kind in ("quiz", "review"),
            "câu trả lời phải thuộc một lượt làm bài trắc nghiệm hoặc ôn tập",
        )
        info = rext["answer"]
        score, maximum = _number(result["score"]["raw"], "score"), _number(result["score"]["max"], "max")
        _expect(0 <= score <= maximum + 1e-9, "điểm nằm ngoài khoảng [0, điểm tối đa]")
        cites = info.get("cites", [])
        _expect(isinstance(cites, list) and all(isinstance(c, str) for c in cites), "cites phải là danh sách")
        response = result["response"]
        _expect(isinstance(response, str), "response phải là chuỗi JSON")
        try:
            canonical = json.dumps(json.loads(response), ensure_ascii=False, separators=(",", ":"))
        except ValueError:
            raise StatementError("response không phải JSON của câu trả lời") from None
        row = {
            "id": sid,
            "module_id": _text(info.get("module") or attempt.module_id, "module", 200),
            "question_id": _text(activity_id, "question", 200),
            "try_no": _positive(info["try"], "try"),
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
            "lựa chọn sai tình huống",
        )
        info = rext["choice"]
        _expect(info["rating"] in RATINGS, f"xếp loại không hợp lệ: {info['rating']!r}")
        step = info["step"]
        _expect(isinstance(step, int) and not isinstance(step, bool) and step >= 0, "step phải là số ≥ 0")
        row = {
            "id": sid,
            "module_id": _text(info.get("module") or attempt.module_id, "module", 200),
            "scenario_id": activity_id,
            "step_no": step,
            "node_id": _text(node_id, "node", 200),
            "action_id": _text(result["response"], "response", 200),
            "rating": info["rating"],
            "next_node_id": _text(info["next"], "next", 200),
            "chosen_at": at,
        }
        return Parsed(number, "choice", learner, attempt, row)
    if verb in ("passed", "failed", "completed") and kind in ("quiz", "scenario", "review"):
        _expect(sid == finish_id(attempt.id), "mã câu lệnh kết thúc không khớp lượt làm bài")
        _expect((kind == "quiz") == (attempt.kind == "quiz"), "kết thúc sai loại hoạt động")
        _expect((kind == "review") == (attempt.kind == "review"), "kết thúc sai loại hoạt động")
        _expect(verb != "completed" or kind != "quiz", "bài trắc nghiệm kết thúc bằng passed/failed")
        _expect(kind != "review" or verb == "completed", "lượt ôn tập kết thúc bằng completed")
        marks = result.get("score") or {}
        finish = _extensions(result.get("extensions") or {}).get("finish") or {}
        row = {
            "finished_at": at,
            "score": _number(marks["raw"], "score") if "raw" in marks else None,
            "max_score": _number(marks["max"], "max") if "max" in marks else None,
        }
        if kind == "quiz":
            row["passed"] = verb == "passed"
            mark = finish.get("pass_mark")
            row["pass_mark"] = int(mark) if isinstance(mark, int) and not isinstance(mark, bool) else None
        else:
            end = finish.get("end_node")
            row["end_node_id"] = _text(end, "end_node", 200) if end is not None else None
        return Parsed(number, "finish", learner, attempt, row)
    raise StatementError(f"không nhận ra câu lệnh: động từ {verb!r} với hoạt động {kind!r}")


def _signature(value: object) -> dict[str, str] | None:
    """A certificate's signature extension, checked for shape (its key matches its fingerprint)."""
    if value is None:
        return None
    _expect(isinstance(value, dict), "chữ ký của giấy chứng nhận phải là một đối tượng")
    assert isinstance(value, dict)
    try:
        public = signing.decode_public(value.get("public_key"))
    except signing.SigningKeyError as error:
        raise StatementError(error.message) from None
    key = value.get("key")
    _expect(key == signing.key_id(public), "mã khoá không khớp khoá công khai")
    signature = _text(value.get("value"), "signature", 100)
    return {"key": str(key), "public_key": signing.encode(public), "value": signature}


def _extensions(ext: object) -> dict[str, Any]:
    """Extension name → value, whatever home page the IRIs were written under."""
    if not isinstance(ext, dict):
        raise StatementError("extensions phải là một đối tượng")
    out = {}
    for key, value in ext.items():
        if isinstance(key, str) and "/xapi/extensions/" in key:
            out[key.rsplit("/", 1)[-1]] = value
    return out


def _learner(actor: dict[str, Any], info: dict[str, Any], at: datetime) -> LearnerInfo:
    learner_id = _uuid(actor["account"]["name"], "actor.account.name")
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
    attempt_id = _uuid(info["id"], "attempt.id")
    _expect(context.get("registration") == attempt_id, "registration khác mã lượt làm bài")
    _expect(
        info["kind"] in ("quiz", "scenario", "review"), f"loại lượt làm bài không hợp lệ: {info['kind']!r}"
    )
    return AttemptInfo(
        id=attempt_id,
        kind=info["kind"],
        activity_id=_text(info["activity"], "activity", 200),
        module_id=_text(info["module"], "module", 200),
        started_at=_time(info["started"], "started"),
    )


def _activity(iri: object) -> tuple[str, str, str | None]:
    if not isinstance(iri, str):
        raise StatementError("object.id phải là một IRI")
    try:
        return parse_activity_iri(iri)
    except ValueError:
        raise StatementError(f"object.id không phải hoạt động của bộ học liệu: {iri!r}") from None


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise StatementError(message)


def _uuid(value: object, name: str) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise StatementError(f"{name} không phải UUID: {value!r}") from None


def _time(value: object, name: str) -> datetime:
    if not isinstance(value, str):
        raise StatementError(f"{name} phải là thời điểm ISO 8601")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise StatementError(f"{name} không phải thời điểm ISO 8601: {value!r}") from None
    if moment.tzinfo is None:
        raise StatementError(f"{name} thiếu múi giờ: {value!r}")
    return moment


def _text(value: object, name: str, limit: int) -> str:
    if not isinstance(value, str) or not value or len(value) > limit or "\x00" in value:
        raise StatementError(f"{name} phải là chuỗi không rỗng, tối đa {limit} ký tự")
    return value


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StatementError(f"{name} phải là số hữu hạn")
    return float(value)


def _positive(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise StatementError(f"{name} phải là số nguyên dương")
    return value


def _bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise StatementError(f"{name} phải là true/false")
    return value


# ---------------------------------------------------------------------------- writing


def _apply(engine: Engine, batch: list[Parsed], report: ImportReport) -> None:
    """Write one batch in one transaction; counts are merged into ``report`` on commit."""

    def run(conn: Connection) -> tuple[ImportReport, list[tuple[int, str]]]:
        local = ImportReport(source=report.source, secret=report.secret, pinned_only=report.pinned_only)
        errors: list[tuple[int, str]] = []
        seen_learners: dict[str, str] = {}
        seen_attempts: dict[str, tuple[str, str, str]] = {}
        for item in batch:
            try:
                changed = _write(conn, item, local, seen_learners, seen_attempts)
            except StatementError as error:
                errors.append((item.line, str(error)))
                continue
            local.statements += 1
            local.unchanged += not changed
        return local, errors

    local, errors = db.write(engine, run)
    report.statements += local.statements
    report.unchanged += local.unchanged
    report.added.update(local.added)
    report.updated.update(local.updated)
    report.errors.extend(errors)
    report.new_keys.extend(local.new_keys)


def _write(
    conn: Connection,
    item: Parsed,
    report: ImportReport,
    seen_learners: dict[str, str],
    seen_attempts: dict[str, tuple[str, str, str]],
) -> bool:
    item = _dealias(conn, item)
    changed = _ensure_learner(conn, item.learner, report, seen_learners)
    if item.attempt is not None:
        changed |= _ensure_attempt(conn, item.learner.id, item.attempt, report, seen_attempts)
    if item.kind == "answer":
        assert item.attempt is not None  # parse_line gives every answer its attempt
        values = {**item.row, "attempt_id": item.attempt.id, "learner_id": item.learner.id}
        return _insert(conn, answers, values, report) or changed
    if item.kind == "choice":
        assert item.attempt is not None  # parse_line gives every choice its attempt
        values = {**item.row, "attempt_id": item.attempt.id, "learner_id": item.learner.id}
        return _insert(conn, scenario_choices, values, report) or changed
    if item.kind == "finish":
        assert item.attempt is not None  # parse_line gives every finish its attempt
        done = conn.execute(
            attempts.update()
            .where(attempts.c.id == item.attempt.id, attempts.c.finished_at.is_(None))
            .values(**item.row)
        ).rowcount
        report.updated["attempts"] += done
        return bool(done) or changed
    if item.kind in ("certificate", "pledge"):
        row = conn.execute(sa.select(learners).where(learners.c.id == item.learner.id)).one()
        values = {**item.row, "learner_id": item.learner.id, "full_name": row.full_name, "unit": row.unit}
        if item.kind == "pledge":
            return _insert(conn, pledges, values, report) or changed
        changed = _insert(conn, certificates, {**values, "role": row.role}, report) or changed
        return _attach_signature(conn, item, report) or changed
    return changed


def _dealias(conn: Connection, item: Parsed) -> Parsed:
    """A statement exported before migration 6 names its learner by the old public ID: merge it
    into the learner that ID now belongs to here (``learner_aliases``), if any."""
    new_id = conn.execute(
        sa.select(learner_aliases.c.learner_id).where(learner_aliases.c.alias_id == item.learner.id)
    ).scalar()
    if new_id is None:
        return item
    return dc.replace(item, learner=dc.replace(item.learner, id=new_id))


def _attach_signature(conn: Connection, item: Parsed, report: ImportReport) -> bool:
    """Keep a merged certificate's signature, trusting its kiosk's key on first import (or
    refusing an unknown key under ``pinned_only``)."""
    signed = item.signature
    if signed is None or report.secret is None:
        return False
    present = conn.execute(sa.select(certificates.c.id).where(certificates.c.id == item.row["id"])).first()
    if present is None:  # not merged (its code is taken here): nothing to sign
        return False
    known = conn.execute(
        sa.select(signing_keys.c.public_key).where(signing_keys.c.key_id == signed["key"])
    ).scalar()
    if known is None and report.pinned_only:
        raise StatementError(f"khoá {signed['key']} của máy cấp giấy chưa được ghim (records keys --trust)")
    try:
        _, added = signing.trust_key(
            conn,
            report.secret,
            signed["public_key"],
            origin=signing.IMPORTED,
            label=f"nhập từ {Path(report.source).name or 'records import'}",
            now=datetime.now(UTC),
        )
    except signing.SigningKeyError as error:
        raise StatementError(error.message) from None
    if added:
        report.new_keys.append(signed["key"])
        report.added["signing_keys"] += 1
    values = {"certificate_id": item.row["id"], "key_id": signed["key"], "signature": signed["value"]}
    return _insert(conn, certificate_signatures, values, report) or added


def _insert(conn: Connection, table: sa.Table, values: dict[str, Any], report: ImportReport) -> bool:
    if db.insert_ignore(conn, table, values):
        report.added[table.name] += 1
        return True
    return False


def _ensure_learner(conn: Connection, info: LearnerInfo, report: ImportReport, seen: dict[str, str]) -> bool:
    state = seen.get(info.id)
    if state == "named" or (state == "anonymous" and info.name is None):
        return False
    row = conn.execute(sa.select(learners.c.name_key).where(learners.c.id == info.id)).first()
    changed = False
    if row is None:
        values = {
            "id": info.id,
            "full_name": info.name or PLACEHOLDER.format(short=info.id[:8]),
            "unit": info.unit,
            "role": info.role,
            "staff_code": info.staff_code,
            "name_key": identity.identity_key(info.name) if info.name else "",
            "unit_key": identity.identity_key(info.unit),
            "created_at": info.created_at,
        }
        if not db.insert_ignore(conn, learners, values):  # the staff code belongs to another learner
            db.insert_ignore(conn, learners, {**values, "staff_code": None})
        report.added["learners"] += 1
        changed = True
        named = info.name is not None
    elif row.name_key == "" and info.name is not None:
        conn.execute(
            learners.update()
            .where(learners.c.id == info.id, learners.c.name_key == "")
            .values(full_name=info.name, name_key=identity.identity_key(info.name))
        )
        for table in (certificates, pledges):  # imported without the name, they get it too
            conn.execute(
                table.update()
                .where(
                    table.c.learner_id == info.id,
                    table.c.full_name == PLACEHOLDER.format(short=info.id[:8]),
                )
                .values(full_name=info.name)
            )
        report.updated["learners"] += 1
        changed = named = True
    else:
        named = row.name_key != ""
    seen[info.id] = "named" if named else "anonymous"
    return changed


def _ensure_attempt(
    conn: Connection,
    learner_id: str,
    info: AttemptInfo,
    report: ImportReport,
    seen: dict[str, tuple[str, str, str]],
) -> bool:
    wanted = (learner_id, info.kind, info.activity_id)
    known = seen.get(info.id)
    changed = False
    if known is None:
        row = conn.execute(
            sa.select(attempts.c.learner_id, attempts.c.kind, attempts.c.activity_id).where(
                attempts.c.id == info.id
            )
        ).first()
        if row is None:
            values = {
                "id": info.id,
                "learner_id": learner_id,
                "kind": info.kind,
                "activity_id": info.activity_id,
                "module_id": info.module_id,
                "started_at": info.started_at,
            }
            changed = _insert(conn, attempts, values, report)
            known = wanted
        else:
            known = tuple(row)
        seen[info.id] = known
    if known != wanted:
        raise StatementError(f"lượt làm bài {info.id} đã có trong hồ sơ với người học hoặc hoạt động khác")
    return changed
