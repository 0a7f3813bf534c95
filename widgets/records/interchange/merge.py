"""Merge xAPI JSON lines (from :mod:`widgets.records.interchange.export`) into a records store, idempotently.

Each statement maps to rows under the IDs it carries (the kiosk's own UUIDs), written with
``INSERT … ON CONFLICT DO NOTHING``; finishing an attempt updates it only while it is still
open. So importing a file twice changes nothing, and overlapping exports from several
kiosks merge without duplicates. A line that is not valid JSON, or not a statement this kit
writes (:mod:`~widgets.records.interchange.parse`), is reported with its line number and
skipped; every other line is imported. Rows are written with the records' own queries
(:func:`~widgets.records.queries.add_learner`, :func:`~widgets.records.queries.find_or_add_attempt`).

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
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypedDict

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.i18n import t
from widgets.records import db, identity, queries, signing, timelines
from widgets.records.errors import AttemptConflictError
from widgets.records.interchange.parse import AttemptInfo, LearnerInfo, Parsed, StatementError, parse_line
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
"""The stored name of a learner merged without one: data, not interface text (a later import with
the name finds the learner's certificate and pledge by it), so it never depends on the language."""


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
    skipped: list[tuple[int, StatementError]] = dc.field(default_factory=list)
    """(line number, why) for every line skipped, in line order."""
    new_keys: list[str] = dc.field(default_factory=list)
    """Fingerprints of the kiosk keys first trusted by this import."""
    secret: bytes | None = dc.field(default=None, repr=False)
    """This installation's certificate secret, to seal newly trusted keys (``None``: the
    certificates are merged without their signatures)."""
    pinned_only: bool = False

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) or sum(self.updated.values()))

    @property
    def errors(self) -> list[tuple[int, str]]:
        """(line number, message for the trainer, from the catalogue) for every line skipped."""
        return [(line, error.text()) for line, error in self.skipped]


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
            report.skipped.append((number, error))
            continue
        if len(batch) >= CHUNK:
            _apply(engine, batch, report)
            batch = []
    if batch:
        _apply(engine, batch, report)
    report.skipped.sort(key=lambda item: item[0])
    return report


def import_file(
    engine: Engine, path: Path, *, secret: bytes | None = None, pinned_only: bool = False
) -> ImportReport:
    """Merge one ``.jsonl`` file (UTF-8, with or without BOM)."""
    with Path(path).open(encoding="utf-8-sig", errors="replace") as handle:
        return import_lines(engine, handle, str(path), secret=secret, pinned_only=pinned_only)


def _apply(engine: Engine, batch: list[Parsed], report: ImportReport) -> None:
    """Write one batch in one transaction; counts are merged into ``report`` on commit."""

    def run(conn: Connection) -> ImportReport:
        local = ImportReport(source=report.source, secret=report.secret, pinned_only=report.pinned_only)
        seen_learners: dict[str, str] = {}
        seen_attempts: dict[str, tuple[str, str, str]] = {}
        for item in batch:
            try:
                changed = _write(conn, item, local, seen_learners, seen_attempts)
            except StatementError as error:
                local.skipped.append((item.line, error))
                continue
            local.statements += 1
            local.unchanged += not changed
        if local.added["answers"] or local.added["scenario_choices"]:  # new evidence
            timelines.refresh(conn, seen_learners)  # the batch's learners' mastery timelines
        return local

    local = db.write(engine, run)
    report.statements += local.statements
    report.unchanged += local.unchanged
    report.added.update(local.added)
    report.updated.update(local.updated)
    report.skipped.extend(local.skipped)
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
        row = queries.one(conn, learners, item.learner.id)
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
        raise StatementError("key_not_pinned", key_id=signed["key"])
    try:
        _, added = signing.trust_key(
            conn,
            report.secret,
            signed["public_key"],
            origin=signing.IMPORTED,
            label=t("records.import.key_label", source=Path(report.source).name or "records import"),
            now=datetime.now(UTC),
        )
    except signing.SigningKeyError as error:
        raise StatementError("signing_key", detail=error.message) from None
    if added:
        report.new_keys.append(signed["key"])
        report.added["signing_keys"] += 1
    values = {"certificate_id": item.row["id"], "key_id": signed["key"], "signature": signed["value"]}
    return _insert(conn, certificate_signatures, values, report) or added


def _insert(conn: Connection, table: sa.Table, values: dict[str, object], report: ImportReport) -> bool:
    if db.insert_ignore(conn, table, values):
        report.added[table.name] += 1
        return True
    return False


class _NewLearner(TypedDict):
    """A merged learner's row, as :func:`queries.add_learner` takes it."""

    name: str
    unit: str
    role: str
    created_at: datetime
    name_key: str | None


def _ensure_learner(conn: Connection, info: LearnerInfo, report: ImportReport, seen: dict[str, str]) -> bool:
    state = seen.get(info.id)
    if state == "named" or (state == "anonymous" and info.name is None):
        return False
    row = conn.execute(sa.select(learners.c.name_key).where(learners.c.id == info.id)).first()
    changed = False
    if row is None:
        values: _NewLearner = {
            "name": info.name or PLACEHOLDER.format(short=info.id[:8]),
            "unit": info.unit,
            "role": info.role,
            "created_at": info.created_at,
            "name_key": None if info.name else "",
        }
        if not queries.add_learner(conn, info.id, staff_code=info.staff_code, **values):
            queries.add_learner(conn, info.id, staff_code=None, **values)  # the code is another's here
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
    """The statement's attempt, added if missing (no daily limit: it was made on the kiosk);
    an attempt ID this batch has already checked for the same owner is not looked up again."""
    wanted = (learner_id, info.kind, info.activity_id)
    if seen.get(info.id) == wanted:
        return False
    try:
        _, created = queries.find_or_add_attempt(
            conn, *wanted, info.module_id, info.id, info.started_at, limit=False
        )
    except AttemptConflictError:
        raise StatementError("attempt_conflict", attempt=info.id) from None
    seen[info.id] = wanted
    if created:
        report.added["attempts"] += 1
    return created
