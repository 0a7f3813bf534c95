"""The records API the views and commands call.

``store = open_store()`` once per kernel (the engine behind it is cached per URL), then one
method call per event. Every write is one short transaction: an answer or a scenario choice
is stored the moment it is made, under a client-generated UUID, with
``INSERT … ON CONFLICT DO NOTHING``, so a repeated write (a retry, a double click, a merged
export) changes nothing. Nothing lives only in kernel memory: a fresh kernel resumes from
:meth:`Store.open_attempt` and :meth:`Store.progress`.
"""

from __future__ import annotations

import dataclasses as dc
import json
import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, Row

from widgets.engine.results import AnswerResult, QuizResult, Response, ScenarioResult, ScenarioStep
from widgets.records import certificates as certs
from widgets.records import config, db, identity, migrations, policy
from widgets.records.errors import (
    AttemptLimitError,
    CertificateError,
    CodeFormatError,
    NotFoundError,
    RecordsError,
    SignInError,
)
from widgets.records.models import (
    AttemptSummary,
    Certificate,
    FinalStatus,
    Learner,
    OpenAttempt,
    Pledge,
    Progress,
    StoredAnswer,
    StoredChoice,
    Verification,
)
from widgets.records.progress import ModuleState, Requirement, module_state
from widgets.records.schema import (
    LEARNER_TABLES,
    answers,
    attempts,
    certificates,
    completions,
    learners,
    pledges,
    scenario_choices,
)

QUIZ = "quiz"
SCENARIO = "scenario"
EXPORT_FORMAT = "neuguong-learner-export"
T = TypeVar("T")

_migrated: dict[str, Engine] = {}


def open_store(url: str | None = None, *, data: Path | str | None = None) -> Store:
    """The store for ``url`` (default: :func:`config.database_url`), migrated to current.

    ``data`` is the folder of the certificate secret (default: :func:`config.data_dir`).
    The engine and the schema check are done once per URL and process.
    """
    data_path = Path(data) if data is not None else config.data_dir()
    url = url or config.database_url(data_path)
    engine = db.get_engine(url)
    if _migrated.get(url) is not engine:
        migrations.upgrade(engine)
        _migrated[url] = engine
    return Store(engine, data_path)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Learners, attempts, answers, scenario choices, completions, pledges, certificates."""

    def __init__(self, engine: Engine, data: Path, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.data = Path(data)
        self.clock = clock
        """Current time (aware); tests replace it."""
        self._known: dict[str, tuple[str, str, str]] = {}
        """Attempt ID → (learner, kind, activity) checked in this process: later answers
        skip the lookup (the foreign key still guards them)."""

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    # ----------------------------------------------------------------- learners

    def sign_in(self, name: object, unit: object, role: object, staff_code: object = None) -> Learner:
        """Find or create the learner (by staff code if given, else by name + unit).

        Input is validated by :func:`identity.validate_sign_in` (raises
        :class:`SignInError` with a Vietnamese message). Without a code, a name + unit shared
        by several coded learners is ambiguous and asks for the code. The learner ID is
        derived from the code or from name + unit, so concurrent sign-ins (and kiosks
        merged later) agree on one learner.
        """
        entry = identity.validate_sign_in(name, unit, role, staff_code)
        now = self.clock()

        def run(conn: Connection) -> Learner:
            row = _match_learner(conn, entry)
            if row is None:
                db.insert_ignore(
                    conn,
                    learners,
                    {
                        "id": entry.learner_id,
                        "full_name": entry.name,
                        "unit": entry.unit,
                        "role": entry.role,
                        "staff_code": entry.staff_code,
                        "name_key": entry.name_key,
                        "unit_key": entry.unit_key,
                        "created_at": now,
                    },
                )
                row = _one(conn, learners, entry.learner_id)
            elif row.role != entry.role:
                conn.execute(learners.update().where(learners.c.id == row.id).values(role=entry.role))
                row = _one(conn, learners, row.id)
            return _learner(row)

        return db.write(self.engine, run)

    def get_learner(self, learner_id: str) -> Learner | None:
        row = db.read(self.engine, lambda conn: _first(conn, learners, learner_id))
        return _learner(row) if row else None

    def find_learners(
        self, *, staff_code: object = None, name: object = None, unit: object = None
    ) -> list[Learner]:
        """Learners with this staff code, or this name + unit (no creation)."""
        query = sa.select(learners).order_by(learners.c.created_at)
        code = identity.normalise_staff_code(staff_code)
        if code:
            query = query.where(learners.c.staff_code == code)
        elif name is not None and unit is not None:
            query = query.where(
                learners.c.name_key == identity.identity_key(identity.normalise_name(name)),
                learners.c.unit_key == identity.identity_key(identity.normalise_unit(unit)),
            )
        else:
            raise SignInError("Cần mã cán bộ, hoặc họ và tên cùng đơn vị.", "name")
        rows = db.read(self.engine, lambda conn: conn.execute(query).all())
        return [_learner(row) for row in rows]

    # ----------------------------------------------------------------- attempts

    def start_attempt(
        self,
        learner_id: str,
        quiz_id: str,
        *,
        attempt_id: str | None = None,
        module_id: str | None = None,
    ) -> AttemptSummary:
        """Record the start of a quiz attempt (idempotent per ``attempt_id``).

        For the final assessment (``quiz_id == "final"``) raises :class:`AttemptLimitError`
        past the daily limit (see :mod:`widgets.records.policy`).
        """
        attempt_id = _uuid(attempt_id)
        now = self.clock()
        return db.write(
            self.engine,
            lambda conn: _ensure_attempt(
                conn, learner_id, QUIZ, quiz_id, module_id or quiz_id, attempt_id, now
            ),
        )

    def start_scenario(
        self, learner_id: str, scenario_id: str, module_id: str, *, run_id: str | None = None
    ) -> AttemptSummary:
        """Record the start of a scenario run (idempotent per ``run_id``)."""
        run_id = _uuid(run_id)
        now = self.clock()
        return db.write(
            self.engine,
            lambda conn: _ensure_attempt(conn, learner_id, SCENARIO, scenario_id, module_id, run_id, now),
        )

    def record_answer(
        self,
        learner_id: str,
        attempt_id: str,
        quiz_id: str,
        answer: AnswerResult,
        *,
        module_id: str | None = None,
        answer_id: str | None = None,
        try_no: int = 1,
        answered_at: datetime | None = None,
    ) -> str:
        """Store one answer in its own transaction; return its ID.

        ``module_id`` is the module the question belongs to (default ``quiz_id``; give it
        for the final assessment). ``try_no`` counts tries at the question within the
        attempt. The attempt is created if the kernel never recorded its start. Writing the
        same ``answer_id`` again changes nothing.
        """
        answer_id = _uuid(answer_id)
        attempt_id = _uuid(attempt_id)
        at = answered_at or self.clock()
        values = {
            "id": answer_id,
            "attempt_id": attempt_id,
            "learner_id": learner_id,
            "module_id": module_id or quiz_id,
            "question_id": _text_id(answer.question_id, "question_id"),
            "try_no": _positive(try_no, "try_no"),
            "response": _encode(answer.response),
            "score": _finite(answer.score, "score"),
            "max_score": _finite(answer.max_score, "max_score"),
            "correct": bool(answer.correct),
            "cites": _encode(answer.cites),
            "answered_at": at,
        }

        self._write_row(answers, values, (learner_id, QUIZ, quiz_id), quiz_id, at)
        return answer_id

    def record_choice(
        self,
        learner_id: str,
        run_id: str,
        scenario_id: str,
        module_id: str,
        step_no: int,
        step: ScenarioStep,
        *,
        choice_id: str | None = None,
        chosen_at: datetime | None = None,
    ) -> str:
        """Store one scenario choice (``step_no`` from 0 along the path); return its ID."""
        choice_id = _uuid(choice_id)
        run_id = _uuid(run_id)
        at = chosen_at or self.clock()
        values = {
            "id": choice_id,
            "attempt_id": run_id,
            "learner_id": learner_id,
            "module_id": module_id,
            "scenario_id": scenario_id,
            "step_no": _positive(step_no + 1, "step_no") - 1,
            "node_id": _text_id(step.node_id, "node_id"),
            "action_id": _text_id(step.action_id, "action_id"),
            "rating": str(step.rating),
            "next_node_id": _text_id(step.next_node_id, "next_node_id"),
            "chosen_at": at,
        }

        self._write_row(scenario_choices, values, (learner_id, SCENARIO, scenario_id), module_id, at)
        return choice_id

    def _write_row(
        self,
        table: sa.Table,
        values: dict[str, Any],
        owner: tuple[str, str, str],
        module_id: str,
        at: datetime,
    ) -> None:
        """Insert one answer or choice in its own transaction, creating its attempt if
        needed; a repeated row is ignored."""
        attempt_id = values["attempt_id"]
        if self._known.get(attempt_id) == owner:
            try:
                db.write(self.engine, lambda conn: db.insert_ignore(conn, table, values))
                return
            except sa.exc.IntegrityError:  # the attempt is gone (learner deleted?)
                self._known.pop(attempt_id, None)

        def run(conn: Connection) -> None:
            _ensure_attempt(conn, *owner, module_id, attempt_id, at)
            db.insert_ignore(conn, table, values)

        db.write(self.engine, run)
        self._known[attempt_id] = owner

    def finish_quiz(
        self, learner_id: str, result: QuizResult, *, module_id: str | None = None
    ) -> AttemptSummary:
        """Close a quiz attempt with its score; the first finish counts (idempotent)."""
        now = self.clock()
        values = {
            "finished_at": now,
            "score": _finite(result.score, "score"),
            "max_score": _finite(result.max_score, "max_score"),
            "passed": bool(result.passed),
            "pass_mark": int(result.pass_mark),
        }
        return self._finish(learner_id, QUIZ, result.quiz_id, module_id, result.attempt_id, values)

    def finish_scenario(
        self, learner_id: str, run_id: str, module_id: str, result: ScenarioResult
    ) -> AttemptSummary:
        """Close a scenario run that reached an end node (idempotent)."""
        if not result.finished:
            raise ValueError("the scenario has not reached an end node")
        values = {
            "finished_at": self.clock(),
            "score": float(result.score),
            "max_score": float(result.max_score),
            "end_node_id": result.end_node_id,
        }
        return self._finish(learner_id, SCENARIO, result.scenario_id, module_id, run_id, values)

    def _finish(
        self,
        learner_id: str,
        kind: str,
        activity_id: str,
        module_id: str | None,
        attempt_id: str,
        values: dict[str, Any],
    ) -> AttemptSummary:
        attempt_id = _uuid(attempt_id)

        def run(conn: Connection) -> AttemptSummary:
            _ensure_attempt(
                conn,
                learner_id,
                kind,
                activity_id,
                module_id or activity_id,
                attempt_id,
                values["finished_at"],
            )
            conn.execute(
                attempts.update()
                .where(attempts.c.id == attempt_id, attempts.c.finished_at.is_(None))
                .values(**values)
            )
            return _attempt(_one(conn, attempts, attempt_id))

        return db.write(self.engine, run)

    # ------------------------------------------------------------------ reading

    def attempts(self, learner_id: str, activity_id: str | None = None) -> list[AttemptSummary]:
        """The learner's attempts (of one quiz or scenario if given), oldest first."""
        query = (
            sa.select(attempts)
            .where(attempts.c.learner_id == learner_id)
            .order_by(attempts.c.started_at, attempts.c.id)
        )
        if activity_id is not None:
            query = query.where(attempts.c.activity_id == activity_id)
        rows = db.read(self.engine, lambda conn: conn.execute(query).all())
        return [_attempt(row) for row in rows]

    def open_attempt(self, learner_id: str, activity_id: str) -> OpenAttempt | None:
        """The latest unfinished attempt at a quiz or scenario, to resume; else ``None``.

        Quizzes: ``answers`` maps each answered question ID to its latest answer (highest
        ``try_no``, then latest time). Scenarios: ``steps`` is the path so far.
        """

        def run(conn: Connection) -> OpenAttempt | None:
            row = conn.execute(
                sa.select(attempts)
                .where(
                    attempts.c.learner_id == learner_id,
                    attempts.c.activity_id == activity_id,
                    attempts.c.finished_at.is_(None),
                )
                .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            if row.kind == SCENARIO:
                return OpenAttempt(_attempt(row), steps=_steps(conn, row.id))
            return OpenAttempt(_attempt(row), answers=_latest_answers(conn, row.id))

        return db.read(self.engine, run)

    def latest_answers(self, attempt_id: str) -> dict[str, StoredAnswer]:
        """Question ID → latest answer within one attempt."""
        return dict(db.read(self.engine, lambda conn: _latest_answers(conn, attempt_id)))

    def answers(self, learner_id: str) -> list[StoredAnswer]:
        """Every answer of a learner, in the order given."""
        query = (
            sa.select(answers)
            .where(answers.c.learner_id == learner_id)
            .order_by(answers.c.answered_at, answers.c.id)
        )
        return [_answer(row) for row in db.read(self.engine, lambda c: c.execute(query).all())]

    def final_status(self, learner_id: str) -> FinalStatus:
        """The final assessment's attempts under :mod:`widgets.records.policy`."""
        return _final_status(self.attempts(learner_id, policy.FINAL_ID), self.clock())

    def progress(self, learner_id: str, requirements: Sequence[Requirement]) -> Progress:
        """Each module's state, the final assessment, the pledge and the certificate.

        A module found complete for the first time is recorded in ``completions`` (so it
        stays complete if the course's requirements change later).
        """

        def run(conn: Connection) -> tuple[list[AttemptSummary], set[str], Any, Any]:
            rows = conn.execute(sa.select(attempts).where(attempts.c.learner_id == learner_id)).all()
            done = conn.execute(
                sa.select(completions.c.module_id).where(completions.c.learner_id == learner_id)
            ).scalars()
            pledge = conn.execute(sa.select(pledges).where(pledges.c.learner_id == learner_id)).first()
            cert = conn.execute(
                sa.select(certificates).where(certificates.c.learner_id == learner_id)
            ).first()
            return [_attempt(row) for row in rows], set(done), pledge, cert

        summaries, recorded, pledge_row, cert_row = db.read(self.engine, run)
        states = {
            req.module_id: module_state(req, summaries, req.module_id in recorded) for req in requirements
        }
        new = [m for m, s in states.items() if s is ModuleState.COMPLETE and m not in recorded]
        if new:
            self._record_completions(learner_id, new)
        finals = [a for a in summaries if a.kind == QUIZ and a.activity_id == policy.FINAL_ID]
        return Progress(
            states=MappingProxyType(states),
            final=_final_status(finals, self.clock()),
            pledge=_pledge(pledge_row) if pledge_row else None,
            certificate=_certificate(cert_row) if cert_row else None,
        )

    def _record_completions(self, learner_id: str, module_ids: Iterable[str]) -> None:
        now = self.clock()

        def run(conn: Connection) -> None:
            for module_id in module_ids:
                db.insert_ignore(
                    conn,
                    completions,
                    {"learner_id": learner_id, "module_id": module_id, "completed_at": now},
                )

        db.write(self.engine, run)

    # --------------------------------------------------------- pledge, certificate

    def record_pledge(self, learner_id: str, text: object) -> Pledge:
        """Record the learner's pledge with their name and unit; the first one is kept."""
        body = identity.normalise_pledge(text)
        now = self.clock()

        def run(conn: Connection) -> Pledge:
            learner = _learner_row(conn, learner_id)
            db.insert_ignore(
                conn,
                pledges,
                {
                    "id": str(uuid.uuid4()),
                    "learner_id": learner_id,
                    "text": body,
                    "full_name": learner.full_name,
                    "unit": learner.unit,
                    "pledged_at": now,
                },
            )
            row = conn.execute(sa.select(pledges).where(pledges.c.learner_id == learner_id)).one()
            return _pledge(row)

        return db.write(self.engine, run)

    def pledge(self, learner_id: str) -> Pledge | None:
        query = sa.select(pledges).where(pledges.c.learner_id == learner_id)
        row = db.read(self.engine, lambda conn: conn.execute(query).first())
        return _pledge(row) if row else None

    def issue_certificate(self, learner_id: str) -> Certificate:
        """The learner's certificate, issued on the first call (later calls return it).

        Requires a passed final assessment (the counted, highest attempt); raises
        :class:`CertificateError` otherwise. The name, unit and score are fixed at issue.
        """
        secret = certs.load_secret(self.data)
        now = self.clock().astimezone(UTC)

        def run(conn: Connection) -> Certificate:
            existing = _certificate_row(conn, learner_id)
            if existing is not None:
                return _certificate(existing)
            learner = _learner_row(conn, learner_id, lock=True)
            finals = conn.execute(
                sa.select(attempts).where(
                    attempts.c.learner_id == learner_id,
                    attempts.c.kind == QUIZ,
                    attempts.c.activity_id == policy.FINAL_ID,
                )
            ).all()
            best = policy.counted_attempt(_attempt(row) for row in finals)
            if best is None or not best.passed or best.percent is None:
                raise CertificateError(
                    "Chưa thể cấp giấy chứng nhận: người học chưa đạt bài kiểm tra cuối khoá."
                )
            for _ in range(10):  # a new ID (and code) if the 40-bit code ever collides
                draft = Certificate(
                    id=str(uuid.uuid4()),
                    learner_id=learner_id,
                    code="",
                    full_name=learner.full_name,
                    unit=learner.unit,
                    role=learner.role,
                    score_percent=round(best.percent, 4),
                    attempt_id=best.id,
                    issued_at=now,
                )
                code = certs.make_code(secret, certs.payload(draft.fields()))
                values = {**draft.fields(), "code": code, "issued_at": now}
                if db.insert_ignore(conn, certificates, values):
                    return _certificate(_certificate_row(conn, learner_id))
                existing = _certificate_row(conn, learner_id)
                if existing is not None:
                    return _certificate(existing)
            raise RecordsError("Không tạo được mã xác minh duy nhất; vui lòng thử lại.")

        return db.write(self.engine, run)

    def certificate(self, learner_id: str) -> Certificate | None:
        row = db.read(self.engine, lambda conn: _certificate_row(conn, learner_id))
        return _certificate(row) if row else None

    def verify_certificate(self, code: str) -> Verification:
        """Check a code offline against this installation's records and secret."""
        try:
            code = certs.normalise_code(code)
        except CodeFormatError as exc:
            return Verification(False, exc.message)
        query = sa.select(certificates).where(certificates.c.code == code)
        row = db.read(self.engine, lambda conn: conn.execute(query).first())
        if row is None:
            return Verification(
                False, f"Không có giấy chứng nhận nào mang mã {code} trong hồ sơ của máy này."
            )
        cert = _certificate(row)
        try:
            secret = certs.load_secret(self.data, create=False)
        except FileNotFoundError:
            return Verification(False, "Máy này không có khoá bí mật để xác minh mã.", None)
        if not certs.check_code(secret, certs.payload(cert.fields()), code):
            return Verification(
                False,
                f"Mã {code} KHÔNG khớp: giấy chứng nhận không do máy này cấp với khoá hiện "
                "tại, hoặc hồ sơ đã bị sửa.",
            )
        local = cert.issued_at.astimezone(policy.COURSE_TZ)
        return Verification(
            True,
            f"Mã {code} hợp lệ: giấy chứng nhận cấp cho {cert.full_name} ({cert.unit}) "
            f"ngày {local:%d/%m/%Y}, điểm {cert.score_percent:.0f}%.",
            cert,
        )

    # ------------------------------------------------------------------ privacy

    def export_learner(self, learner_id: str) -> dict[str, Any]:
        """Everything stored about one learner, as JSON-able data."""

        def run(conn: Connection) -> dict[str, Any]:
            learner = _learner_row(conn, learner_id)
            out: dict[str, Any] = {
                "format": EXPORT_FORMAT,
                "format_version": 1,
                "schema_version": migrations.current_version(conn),
                "exported_at": _iso(self.clock()),
                "learner": _jsonable_row(learner),
            }
            for table in reversed(LEARNER_TABLES):
                query = sa.select(table).where(table.c.learner_id == learner_id)
                order = [c for c in ("started_at", "answered_at", "chosen_at") if c in table.c]
                query = query.order_by(*(table.c[c] for c in order), *table.primary_key)
                out[table.name] = [_jsonable_row(row) for row in conn.execute(query)]
            return out

        return db.read(self.engine, run)

    def delete_learner(self, learner_id: str) -> dict[str, int]:
        """Delete one learner and every row of theirs; return rows deleted per table."""

        def run(conn: Connection) -> dict[str, int]:
            counts = {}
            for table in (*LEARNER_TABLES, learners):
                column = table.c.id if table is learners else table.c.learner_id
                counts[table.name] = conn.execute(table.delete().where(column == learner_id)).rowcount
            return counts

        return db.write(self.engine, run)


# ---------------------------------------------------------------------- helpers


def _match_learner(conn: Connection, entry: identity.SignIn) -> Row[Any] | None:
    if entry.staff_code:
        query = sa.select(learners).where(learners.c.staff_code == entry.staff_code)
        return conn.execute(query).first()
    rows = conn.execute(
        sa.select(learners)
        .where(learners.c.name_key == entry.name_key, learners.c.unit_key == entry.unit_key)
        .order_by(learners.c.created_at)
    ).all()
    uncoded = [row for row in rows if row.staff_code is None]
    if uncoded:
        return uncoded[0]
    if len(rows) == 1:
        return rows[0]
    if rows:
        raise SignInError(
            "Đơn vị này có nhiều người trùng họ và tên; vui lòng nhập mã cán bộ để tìm đúng hồ sơ của mình.",
            "staff_code",
        )
    return None


def _ensure_attempt(
    conn: Connection,
    learner_id: str,
    kind: str,
    activity_id: str,
    module_id: str,
    attempt_id: str,
    now: datetime,
) -> AttemptSummary:
    """The attempt row, created if missing (the final's daily limit applies then)."""
    row = _first(conn, attempts, attempt_id)
    if row is None:
        _learner_row(conn, learner_id, lock=True)
        if kind == QUIZ and activity_id == policy.FINAL_ID:
            _check_final_limit(conn, learner_id, now)
        db.insert_ignore(
            conn,
            attempts,
            {
                "id": attempt_id,
                "learner_id": learner_id,
                "kind": kind,
                "activity_id": _text_id(activity_id, "activity_id"),
                "module_id": _text_id(module_id, "module_id"),
                "started_at": now,
            },
        )
        row = _one(conn, attempts, attempt_id)
    if (row.learner_id, row.kind, row.activity_id) != (learner_id, kind, activity_id):
        raise RecordsError(f"Lượt làm bài {attempt_id} thuộc người học hoặc hoạt động khác; không ghi.")
    return _attempt(row)


def _check_final_limit(conn: Connection, learner_id: str, now: datetime) -> None:
    start, end = policy.local_day(now)
    count = conn.execute(
        sa.select(sa.func.count())
        .select_from(attempts)
        .where(
            attempts.c.learner_id == learner_id,
            attempts.c.kind == QUIZ,
            attempts.c.activity_id == policy.FINAL_ID,
            attempts.c.started_at >= start,
            attempts.c.started_at < end,
        )
    ).scalar_one()
    if count >= policy.MAX_FINAL_ATTEMPTS_PER_DAY:
        raise AttemptLimitError(
            f"Hôm nay bạn đã làm bài kiểm tra cuối khoá {count} lần, tối đa "
            f"{policy.MAX_FINAL_ATTEMPTS_PER_DAY} lần một ngày. Mời bạn làm lại vào ngày mai; "
            "kết quả cao nhất được tính."
        )


def _final_status(finals: list[AttemptSummary], now: datetime) -> FinalStatus:
    today = policy.attempts_on_day(finals, now)
    open_ids = [a.id for a in sorted(finals, key=lambda a: a.started_at) if not a.finished]
    return FinalStatus(
        attempts=tuple(finals),
        attempts_today=today,
        attempts_left_today=max(0, policy.MAX_FINAL_ATTEMPTS_PER_DAY - today),
        best=policy.counted_attempt(finals),
        open_attempt_id=open_ids[-1] if open_ids else None,
        next_day_starts=policy.local_day(now)[1],
    )


def _latest_answers(conn: Connection, attempt_id: str) -> MappingProxyType[str, StoredAnswer]:
    rows = conn.execute(
        sa.select(answers)
        .where(answers.c.attempt_id == attempt_id)
        .order_by(answers.c.try_no, answers.c.answered_at, answers.c.id)
    ).all()
    return MappingProxyType({row.question_id: _answer(row) for row in rows})


def _steps(conn: Connection, attempt_id: str) -> tuple[StoredChoice, ...]:
    rows = conn.execute(
        sa.select(scenario_choices)
        .where(scenario_choices.c.attempt_id == attempt_id)
        .order_by(scenario_choices.c.step_no, scenario_choices.c.chosen_at)
    ).all()
    by_step = {row.step_no: row for row in rows}  # a step written twice: the latest wins
    return tuple(_choice(by_step[n]) for n in sorted(by_step))


def _first(conn: Connection, table: sa.Table, key: str) -> Row[Any] | None:
    return conn.execute(sa.select(table).where(table.c.id == key)).first()


def _one(conn: Connection, table: sa.Table, key: str) -> Row[Any]:
    return conn.execute(sa.select(table).where(table.c.id == key)).one()


def _learner_row(conn: Connection, learner_id: str, *, lock: bool = False) -> Row[Any]:
    query = sa.select(learners).where(learners.c.id == learner_id)
    if lock:
        query = query.with_for_update()  # PostgreSQL; SQLite's BEGIN IMMEDIATE already locks
    row = conn.execute(query).first()
    if row is None:
        raise NotFoundError(f"Không tìm thấy người học có mã hồ sơ {learner_id}.")
    return row


def _certificate_row(conn: Connection, learner_id: str) -> Row[Any] | None:
    query = sa.select(certificates).where(certificates.c.learner_id == learner_id)
    return conn.execute(query).first()


def _learner(row: Row[Any]) -> Learner:
    return Learner(
        id=row.id,
        full_name=row.full_name,
        unit=row.unit,
        role=row.role,
        staff_code=row.staff_code,
        created_at=row.created_at,
    )


def _attempt(row: Row[Any]) -> AttemptSummary:
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


def _answer(row: Row[Any]) -> StoredAnswer:
    return StoredAnswer(
        id=row.id,
        attempt_id=row.attempt_id,
        learner_id=row.learner_id,
        module_id=row.module_id,
        question_id=row.question_id,
        try_no=row.try_no,
        response=_decode_response(row.response),
        score=row.score,
        max_score=row.max_score,
        correct=bool(row.correct),
        cites=tuple(json.loads(row.cites)),
        answered_at=row.answered_at,
    )


def _from_row(cls: type[T], row: Row[Any]) -> T:
    return cls(**{field.name: getattr(row, field.name) for field in dc.fields(cls)})  # type: ignore[arg-type]


def _choice(row: Row[Any]) -> StoredChoice:
    return _from_row(StoredChoice, row)


def _pledge(row: Row[Any]) -> Pledge:
    return _from_row(Pledge, row)


def _certificate(row: Row[Any]) -> Certificate:
    return _from_row(Certificate, row)


def _jsonable_row(row: Row[Any]) -> dict[str, Any]:
    out = {}
    for key, value in row._mapping.items():
        if isinstance(value, datetime):
            value = _iso(value)
        elif key in ("response", "cites"):
            value = json.loads(value)
        out[key] = value
    return out


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _encode(value: Any) -> str:
    data = _plain(value)
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: keep them, escaped
        text = json.dumps(data, separators=(",", ":"))
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _decode_response(text: str) -> Response:
    def tuplify(value: Any) -> Any:
        return tuple(tuplify(item) for item in value) if isinstance(value, list) else value

    return tuplify(json.loads(text))


def _uuid(value: str | None) -> str:
    if value is None:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ValueError(f"not a UUID: {value!r}") from None


def _text_id(value: object, name: str) -> str:
    if not isinstance(value, str) or not value or len(value) > 200 or "\x00" in value:
        raise ValueError(f"{name} must be a non-empty string of at most 200 characters")
    return value


def _finite(value: object, name: str) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number")
    return number


def _positive(value: int, name: str) -> int:
    if not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer")
    return value
