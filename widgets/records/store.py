"""The records API the views and commands call.

``store = open_store()`` once per kernel (the engine behind it is cached per URL), then one
method call per event. Every write is one short transaction: an answer or a scenario choice
is stored the moment it is made, under a client-generated UUID, with
``INSERT … ON CONFLICT DO NOTHING``, so a repeated write (a retry, a double click, a merged
export) changes nothing. Nothing lives only in kernel memory: a fresh kernel resumes from
:meth:`Store.open_attempt` and :meth:`Store.progress`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Required, TypedDict, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.engine.progress import ModuleState, Requirement, module_state
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.i18n import t
from widgets.records import audit as audit_trail
from widgets.records import certificates as certs
from widgets.records import (
    config,
    db,
    identity,
    kiosk,
    migrations,
    pins,
    policy,
    queries,
    rows,
    signing,
    timelines,
)
from widgets.records.errors import (
    CertificateError,
    CodeFormatError,
    PinLockedError,
    RecordsError,
    SessionRefusedError,
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
from widgets.records.queries import QUIZ, REVIEW, REVIEW_ID, SCENARIO
from widgets.records.rooms import Rooms
from widgets.records.schema import (
    LEARNER_TABLES,
    answers,
    attempts,
    certificate_signatures,
    certificates,
    completions,
    credentials,
    learner_aliases,
    learners,
    pledges,
    scenario_choices,
    signing_keys,
)
from widgets.records.statistics.snapshot import Statistics

if TYPE_CHECKING:
    from widgets.jsonvalue import JsonObject
    from widgets.records.interchange.merge import ImportReport

EXPORT_FORMAT = "neuguong-learner-export"
_SECRET_COLUMNS = frozenset({"pin_hash", "pin_salt"})
"""Never exported, even to the learner."""
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
        identity.load_secret(data_path)  # created at install: the first time the store opens
        migrations.upgrade(engine, secret=lambda: identity.load_secret(data_path))
        _migrated[url] = engine
    return Store(engine, data_path)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _locked_message(until: datetime, now: datetime) -> str:
    minutes = max(1, -(-int((until - now).total_seconds()) // 60))
    local = until.astimezone(policy.COURSE_TZ)
    return t("signin.error.locked", tries=pins.MAX_TRIES, local=local, minutes=minutes)


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
        self._identity_secret: bytes | None = None

    @property
    def identity_secret(self) -> bytes:
        """The installation's identity secret (``<data>/identity-secret``, created if missing)."""
        if self._identity_secret is None:
            self._identity_secret = identity.load_secret(self.data)
        return self._identity_secret

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def rooms(self) -> Rooms:
        """Live workshop rooms: open, join, focus and the room's counts (:mod:`widgets.records.rooms`)."""
        return Rooms(self.engine, lambda: self.clock())

    @property
    def statistics(self) -> Statistics:
        """The trainer's statistics over these records (:mod:`widgets.records.statistics`)."""
        return Statistics(self.engine)

    # ----------------------------------------------------------------- learners

    def sign_in(self, name: object, unit: object, role: object, staff_code: object = None) -> Learner:
        """Find or create the learner (by staff code if given, else by name + unit), with no
        proof: for trusted callers (imports, tests). The sign-in form uses :meth:`authenticate`.

        Input is validated by :func:`identity.validate_sign_in` (raises
        :class:`SignInError` with a Vietnamese message). Without a code, a name + unit shared
        by several coded learners is ambiguous and asks for the code. The learner ID is
        keyed from the code or from name + unit, so concurrent sign-ins (and kiosks sharing
        the installation's secret, merged later) agree on one learner.
        """
        entry = identity.validate_sign_in(name, unit, role, staff_code)
        now = self.clock()
        return db.write(self.engine, lambda conn: rows.learner(self._find_or_create(conn, entry, now)[0]))

    def _find_or_create(
        self, conn: Connection, entry: identity.SignIn, now: datetime
    ) -> tuple[sa.Row[Any], bool]:
        """The learner's row (role updated), and whether it was created now."""
        row = queries.match_learner(conn, entry)
        if row is None:
            learner_id = entry.learner_id(self.identity_secret)
            created = queries.add_learner(
                conn,
                learner_id,
                name=entry.name,
                unit=entry.unit,
                role=entry.role,
                staff_code=entry.staff_code,
                created_at=now,
            )
            return queries.one(conn, learners, learner_id), bool(created)
        if row.role != entry.role:
            conn.execute(learners.update().where(learners.c.id == row.id).values(role=entry.role))
            row = queries.one(conn, learners, row.id)
        return row, False

    # ------------------------------------------------------- PIN-checked sign-in

    def authenticate(
        self,
        name: object,
        unit: object,
        role: object,
        staff_code: object = None,
        pin: object = None,
        pin_confirm: object = None,
    ) -> Learner:
        """The sign-in form: find the learner and check their PIN, or set it the first time.

        A learner with no PIN yet (new, from before PINs, or reset by a trainer) sets one:
        ``pin`` and ``pin_confirm`` must match (a new learner is created only then). A learner
        with a PIN must give it; the try is counted before the PIN is checked, and the fifth
        wrong one in a row locks sign-in for :func:`pins.lock_duration` (kept in the
        database). Every outcome is audited. Raises :class:`SignInError`
        (:class:`PinLockedError` while locked) with a Vietnamese message.
        """
        entry = identity.validate_sign_in(name, unit, role, staff_code)
        typed = pins.normalise_pin(pin)
        now = self.clock()

        def find(conn: Connection) -> tuple[sa.Row[Any] | None, sa.Row[Any] | None]:
            row = queries.match_learner(conn, entry)
            if row is None:  # a new learner: created once their PIN is set
                return None, None
            match = credentials.c.learner_id == row.id
            cred = conn.execute(sa.select(credentials).where(match)).first()
            if cred is None or cred.pin_hash is None:
                return row, cred
            if cred.locked_until is not None and cred.locked_until > now:
                detail = {"until": cred.locked_until}
                audit_trail.record(conn, audit_trail.SIGN_IN_LOCKED, row.id, detail, now)
                return row, cred
            # Count this try before the (slow) check: parallel guesses cannot pass the limit.
            conn.execute(
                credentials.update()
                .where(match)
                .values(failed_tries=credentials.c.failed_tries + 1, locked_until=None)
            )
            return row, conn.execute(sa.select(credentials).where(match)).one()

        row, cred = db.write(self.engine, find)
        if row is None or cred is None or cred.pin_hash is None:
            return self._set_first_pin(entry, typed, pin_confirm, now)
        if cred.locked_until is not None and cred.locked_until > now:
            raise PinLockedError(_locked_message(cred.locked_until, now), cred.locked_until)
        if cred.failed_tries > pins.MAX_TRIES:  # parallel tries already used up this round
            return self._lock(row.id, cred.lockouts, now)
        if pins.check_pin(typed, cred.pin_hash, cred.pin_salt, cred.pin_params):
            if row.role != entry.role:
                row = db.write(self.engine, lambda conn: self._find_or_create(conn, entry, now)[0])

            def succeed(conn: Connection) -> None:
                conn.execute(
                    credentials.update()
                    .where(credentials.c.learner_id == row.id)
                    .values(failed_tries=0, lockouts=0, locked_until=None)
                )
                audit_trail.record(conn, audit_trail.SIGN_IN, row.id, None, now)

            db.write(self.engine, succeed)
            return rows.learner(row)
        if cred.failed_tries >= pins.MAX_TRIES:
            return self._lock(row.id, cred.lockouts, now)
        detail = {"tries": cred.failed_tries}
        self.audit(audit_trail.SIGN_IN_FAILED, row.id, detail)
        left = pins.MAX_TRIES - cred.failed_tries
        raise SignInError(
            t("signin.error.wrong_pin", left=left, lock_minutes=int(pins.LOCK_BASE.total_seconds() // 60)),
            "pin",
        )

    def _set_first_pin(
        self, entry: identity.SignIn, typed: str, pin_confirm: object, now: datetime
    ) -> Learner:
        """A learner without a PIN (new, from before PINs, or reset) sets one; a new learner
        is created here, once the PIN is confirmed."""
        confirm = pin_confirm if isinstance(pin_confirm, str) else ""
        if not confirm.strip():
            raise SignInError(
                t("signin.error.set_pin"),
                "pin_confirm",
            )
        if pins.normalise_pin(confirm, "pin_confirm") != typed:
            raise SignInError(t("signin.error.pins_differ"), "pin_confirm")
        pin_hash, salt, params = pins.hash_pin(typed)
        values = {
            "pin_hash": pin_hash,
            "pin_salt": salt,
            "pin_params": params,
            "pin_set_at": now,
            "failed_tries": 0,
            "lockouts": 0,
            "locked_until": None,
        }

        def save(conn: Connection) -> sa.Row[Any] | None:
            row, created = self._find_or_create(conn, entry, now)
            match = credentials.c.learner_id == row.id
            if conn.execute(sa.select(credentials.c.learner_id).where(match)).first() is None:
                if not db.insert_ignore(conn, credentials, {"learner_id": row.id, **values}):
                    return None
            # set only if still unset: of two first sign-ins at once, the first one wins
            elif not conn.execute(
                credentials.update().where(match, credentials.c.pin_hash.is_(None)).values(**values)
            ).rowcount:
                return None
            event = audit_trail.SIGN_IN_NEW if created else audit_trail.PIN_SET
            audit_trail.record(conn, event, row.id, None, now)
            return row

        row = db.write(self.engine, save)
        if row is None:
            raise SignInError(t("signin.error.pin_just_set"), "pin")
        return rows.learner(row)

    def _lock(self, learner_id: str, lockouts: int, now: datetime) -> Learner:
        until = now + pins.lock_duration(lockouts)

        def run(conn: Connection) -> None:
            conn.execute(
                credentials.update()
                .where(credentials.c.learner_id == learner_id)
                .values(failed_tries=0, lockouts=credentials.c.lockouts + 1, locked_until=until)
            )
            audit_trail.record(
                conn, audit_trail.LOCKOUT, learner_id, {"until": until, "lockouts": lockouts + 1}, now
            )

        db.write(self.engine, run)
        raise PinLockedError(_locked_message(until, now), until)

    def has_pin(self, learner_id: str) -> bool:
        """Whether the learner has set a PIN (and it has not been reset since)."""
        query = sa.select(credentials.c.pin_hash).where(credentials.c.learner_id == learner_id)
        return db.read(self.engine, lambda conn: conn.execute(query).scalar()) is not None

    def locked_until(self, learner_id: str) -> datetime | None:
        """Until when the learner's sign-in is locked (``None`` if it is not)."""
        query = sa.select(credentials.c.locked_until).where(credentials.c.learner_id == learner_id)
        until = db.read(self.engine, lambda conn: conn.execute(query).scalar())
        return until if until is not None and until > self.clock() else None

    def reset_pin(self, learner_id: str, *, by: str = "trainer") -> None:
        """A trainer's reset: the PIN, its lockout and the learner's sessions are gone; the
        learner sets a new PIN at the next sign-in. Audited with ``by``."""
        now = self.clock()

        def run(conn: Connection) -> None:
            queries.learner_row(conn, learner_id)
            conn.execute(credentials.delete().where(credentials.c.learner_id == learner_id))
            ended = kiosk.end_sessions_of(conn, learner_id)
            audit_trail.record(
                conn, audit_trail.PIN_RESET, learner_id, {"by": by, "sessions_ended": ended}, now
            )

        db.write(self.engine, run)

    # ------------------------------------------------------------------ sessions

    def open_session(self, learner_id: str, ttl: timedelta) -> str:
        """A new session token for a learner who just proved who they are."""
        now = self.clock()
        return db.write(self.engine, lambda conn: kiosk.open_session(conn, learner_id, ttl=ttl, now=now))

    def resume_session(self, token: object, ttl: timedelta) -> Learner:
        """The learner of a live session token (its expiry slides); raises
        :class:`SessionRefusedError` for an ended, expired, unknown or malformed token."""
        learner_id = self._slide_session(token, ttl)
        learner = self.get_learner(learner_id) if learner_id else None
        if learner is None:
            raise SessionRefusedError(t("signin.error.session_ended"))
        return learner

    def keep_session(self, token: object, ttl: timedelta) -> bool:
        """The learner is still there: the token's expiry slides to now + ``ttl``; whether it was live."""
        return self._slide_session(token, ttl) is not None

    def _slide_session(self, token: object, ttl: timedelta) -> str | None:
        kiosk.check_ttl(ttl)
        if not kiosk.well_formed(token):
            return None  # no transaction for a token that cannot be one
        now = self.clock()
        return db.write(self.engine, lambda conn: kiosk.resume_session(conn, token, ttl=ttl, now=now))

    def end_session(self, token: object, learner_id: str | None = None) -> bool:
        """Sign out: the token stops working at once (audited when it existed)."""
        if not kiosk.well_formed(token):
            return False
        ended = db.write(self.engine, lambda conn: kiosk.end_session(conn, token))
        if ended and learner_id:
            self.audit(audit_trail.SIGN_OUT, learner_id)
        return ended

    def live_sessions(self, learner_id: str) -> int:
        """How many unexpired session tokens the learner has."""
        now = self.clock()
        return db.read(self.engine, lambda conn: kiosk.live_sessions(conn, learner_id, now=now))

    # --------------------------------------------------------------------- audit

    def audit(
        self, event: str, learner_id: str | None = None, detail: str | Mapping[str, object] | None = None
    ) -> None:
        """Append one event to the audit trail (its own transaction): ``event`` is a short name
        (:data:`audit.EVENTS` lists the kit's), ``detail`` text or a JSON-able mapping."""
        now = self.clock()
        db.write(self.engine, lambda conn: audit_trail.record(conn, event, learner_id, detail, now))

    def audit_events(
        self,
        *,
        event: str | None = None,
        learner_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = 1000,
        learner_ids: Iterable[str] | None = None,
    ) -> list[audit_trail.AuditEvent]:
        """The trail's events matching every filter given, newest first."""
        query = audit_trail.select(
            event=event, learner_id=learner_id, since=since, until=until, limit=limit, learner_ids=learner_ids
        )
        found = db.read(self.engine, lambda conn: conn.execute(query).all())
        return [audit_trail.AuditEvent(r.id, r.at, r.event, r.learner_id, r.detail) for r in found]

    def search_learners(self, text: object, *, limit: int = 50) -> list[Learner]:
        """Learners whose staff code is ``text``, or whose name or unit contains it (case and
        spacing ignored): what a trainer types to find someone."""
        if not isinstance(text, str) or not text.strip():
            return []
        key = identity.identity_key(text)
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = (
            sa.select(learners)
            .where(
                sa.or_(
                    learners.c.staff_code == text.strip().upper(),
                    learners.c.name_key.like(pattern, escape="\\"),
                    learners.c.unit_key.like(pattern, escape="\\"),
                )
            )
            .order_by(learners.c.full_name, learners.c.unit)
            .limit(limit)
        )
        return [rows.learner(row) for row in db.read(self.engine, lambda conn: conn.execute(query).all())]

    def learner_by_alias(self, alias_id: str) -> Learner | None:
        """The learner an ID from before migration 6 now belongs to, if any."""
        query = sa.select(learner_aliases.c.learner_id).where(learner_aliases.c.alias_id == alias_id)
        found = db.read(self.engine, lambda conn: conn.execute(query).scalar())
        return self.get_learner(found) if found else None

    def get_learner(self, learner_id: str) -> Learner | None:
        row = db.read(self.engine, lambda conn: queries.first(conn, learners, learner_id))
        return rows.learner(row) if row else None

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
            raise SignInError(t("records.find_learner"), "name")
        found = db.read(self.engine, lambda conn: conn.execute(query).all())
        return [rows.learner(row) for row in found]

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
        attempt_id = rows.as_uuid(attempt_id)
        now = self.clock()
        return db.write(
            self.engine,
            lambda conn: queries.ensure_attempt(
                conn, learner_id, QUIZ, quiz_id, module_id or quiz_id, attempt_id, now
            ),
        )

    def start_scenario(
        self, learner_id: str, scenario_id: str, module_id: str, *, run_id: str | None = None
    ) -> AttemptSummary:
        """Record the start of a scenario run (idempotent per ``run_id``)."""
        run_id = rows.as_uuid(run_id)
        now = self.clock()
        return db.write(
            self.engine,
            lambda conn: queries.ensure_attempt(
                conn, learner_id, SCENARIO, scenario_id, module_id, run_id, now
            ),
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
        answer_id = rows.as_uuid(answer_id)
        attempt_id = rows.as_uuid(attempt_id)
        at = answered_at or self.clock()
        values = _answer_values(answer_id, attempt_id, learner_id, module_id or quiz_id, answer, try_no, at)
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
        choice_id = rows.as_uuid(choice_id)
        run_id = rows.as_uuid(run_id)
        at = chosen_at or self.clock()
        step_no = rows.positive(step_no + 1, "step_no") - 1
        values = _choice_values(choice_id, run_id, learner_id, module_id, scenario_id, step_no, step, at)
        self._write_row(scenario_choices, values, (learner_id, SCENARIO, scenario_id), module_id, at)
        return choice_id

    # ------------------------------------------------------------------ reviews

    def start_review(
        self, learner_id: str, *, review_id: str | None = None, started_at: datetime | None = None
    ) -> AttemptSummary:
        """Record the start of a spaced review (kind ``review``; idempotent per ``review_id``).

        A review's answers and its scenario decision are stored like any other (one row each, the
        moment they are made) under this attempt, which no module, final or certificate counts.
        Its times (``started_at`` here, ``answered_at``, ``chosen_at``, ``finished_at``) default to
        the store's clock; the review page gives the clock it reads the schedule with (a test
        clock moves both: ``widgets.views.review.review_now``)."""
        review_id = rows.as_uuid(review_id)
        now = started_at or self.clock()
        return db.write(
            self.engine,
            lambda conn: queries.ensure_attempt(
                conn, learner_id, REVIEW, REVIEW_ID, REVIEW_ID, review_id, now
            ),
        )

    def record_review_answer(
        self,
        learner_id: str,
        review_id: str,
        answer: AnswerResult,
        *,
        module_id: str,
        try_no: int = 1,
        answer_id: str | None = None,
        answered_at: datetime | None = None,
    ) -> str:
        """Store one answer given in a review (``module_id``: the question's module); its ID."""
        answer_id = rows.as_uuid(answer_id)
        review_id = rows.as_uuid(review_id)
        at = answered_at or self.clock()
        module_id = rows.text_id(module_id, "module_id")
        values = _answer_values(answer_id, review_id, learner_id, module_id, answer, try_no, at)
        self._write_row(answers, values, (learner_id, REVIEW, REVIEW_ID), REVIEW_ID, at)
        return answer_id

    def record_review_choice(
        self,
        learner_id: str,
        review_id: str,
        scenario_id: str,
        module_id: str,
        step: ScenarioStep,
        *,
        choice_id: str | None = None,
        chosen_at: datetime | None = None,
    ) -> str:
        """Store the scenario decision of a review (one node, step 0); return its ID."""
        choice_id = rows.as_uuid(choice_id)
        review_id = rows.as_uuid(review_id)
        at = chosen_at or self.clock()
        module_id = rows.text_id(module_id, "module_id")
        scenario_id = rows.text_id(scenario_id, "scenario_id")
        values = _choice_values(choice_id, review_id, learner_id, module_id, scenario_id, 0, step, at)
        self._write_row(scenario_choices, values, (learner_id, REVIEW, REVIEW_ID), REVIEW_ID, at)
        return choice_id

    def finish_review(
        self,
        learner_id: str,
        review_id: str,
        score: float,
        max_score: float,
        *,
        finished_at: datetime | None = None,
    ) -> AttemptSummary:
        """Close a review once every item is answered (idempotent: the first finish counts)."""
        values: _Finished = {
            "finished_at": finished_at or self.clock(),
            "score": rows.finite(score, "score"),
            "max_score": rows.finite(max_score, "max_score"),
        }
        return self._finish(learner_id, REVIEW, REVIEW_ID, REVIEW_ID, review_id, values)

    def open_review(self, learner_id: str) -> OpenAttempt | None:
        """The latest unfinished review with its answers and its decision, to resume; else ``None``."""

        def run(conn: Connection) -> OpenAttempt | None:
            row = _latest_unfinished(conn, learner_id, attempts.c.kind == REVIEW)
            if row is None:
                return None
            return OpenAttempt(
                rows.attempt(row),
                answers=queries.latest_answers(conn, row.id),
                steps=queries.steps(conn, row.id),
            )

        return db.read(self.engine, run)

    def choices(self, learner_id: str) -> list[StoredChoice]:
        """Every scenario choice of a learner (runs and reviews), oldest first."""
        query = (
            sa.select(scenario_choices)
            .where(scenario_choices.c.learner_id == learner_id)
            .order_by(scenario_choices.c.chosen_at, scenario_choices.c.id)
        )
        return [rows.choice(row) for row in db.read(self.engine, lambda c: c.execute(query).all())]

    def _write_row(
        self,
        table: sa.Table,
        values: dict[str, object],
        owner: tuple[str, str, str],
        module_id: str,
        at: datetime,
    ) -> None:
        """Insert one answer or choice in its own transaction, creating its attempt if
        needed; a repeated row is ignored. A new row refreshes the learner's mastery timelines
        (:mod:`widgets.records.timelines`) in the same transaction."""
        attempt_id = str(values["attempt_id"])  # a UUID text, checked by rows

        def insert(conn: Connection) -> None:
            evidence = values.get("try_no", 1) == 1  # a second try is never evidence (mastery.outcomes)
            if db.insert_ignore(conn, table, values) and evidence:
                timelines.refresh(conn, [owner[0]])

        if self._known.get(attempt_id) == owner:
            try:
                db.write(self.engine, insert)
                return
            except sa.exc.IntegrityError:  # the attempt is gone (learner deleted?)
                self._known.pop(attempt_id, None)

        def run(conn: Connection) -> None:
            queries.ensure_attempt(conn, *owner, module_id, attempt_id, at)
            insert(conn)

        db.write(self.engine, run)
        self._known[attempt_id] = owner

    def finish_quiz(
        self, learner_id: str, result: QuizResult, *, module_id: str | None = None
    ) -> AttemptSummary:
        """Close a quiz attempt with its score; the first finish counts (idempotent)."""
        now = self.clock()
        values: _Finished = {
            "finished_at": now,
            "score": rows.finite(result.score, "score"),
            "max_score": rows.finite(result.max_score, "max_score"),
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
        values: _Finished = {
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
        values: _Finished,
    ) -> AttemptSummary:
        attempt_id = rows.as_uuid(attempt_id)

        def run(conn: Connection) -> AttemptSummary:
            queries.ensure_attempt(
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
            return rows.attempt(queries.one(conn, attempts, attempt_id))

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
        found = db.read(self.engine, lambda conn: conn.execute(query).all())
        return [rows.attempt(row) for row in found]

    def open_attempt(self, learner_id: str, activity_id: str) -> OpenAttempt | None:
        """The latest unfinished attempt at a quiz or scenario, to resume; else ``None``.

        Quizzes: ``answers`` maps each answered question ID to its latest answer (highest
        ``try_no``, then latest time). Scenarios: ``steps`` is the path so far.
        """

        def run(conn: Connection) -> OpenAttempt | None:
            row = _latest_unfinished(conn, learner_id, attempts.c.activity_id == activity_id)
            if row is None:
                return None
            if row.kind == SCENARIO:
                return OpenAttempt(rows.attempt(row), steps=queries.steps(conn, row.id))
            return OpenAttempt(rows.attempt(row), answers=queries.latest_answers(conn, row.id))

        return db.read(self.engine, run)

    def latest_answers(self, attempt_id: str) -> dict[str, StoredAnswer]:
        """Question ID → latest answer within one attempt."""
        return dict(db.read(self.engine, lambda conn: queries.latest_answers(conn, attempt_id)))

    def answers(self, learner_id: str) -> list[StoredAnswer]:
        """Every answer of a learner, in the order given."""
        query = (
            sa.select(answers)
            .where(answers.c.learner_id == learner_id)
            .order_by(answers.c.answered_at, answers.c.id)
        )
        return [rows.answer(row) for row in db.read(self.engine, lambda c: c.execute(query).all())]

    def final_status(self, learner_id: str) -> FinalStatus:
        """The final assessment's attempts under :mod:`widgets.records.policy`."""
        return policy.final_status(self.attempts(learner_id, policy.FINAL_ID), self.clock())

    def progress(self, learner_id: str, requirements: Sequence[Requirement]) -> Progress:
        """Each module's state, the final assessment, the pledge and the certificate.

        A module found complete for the first time is recorded in ``completions`` (so it
        stays complete if the course's requirements change later).
        """

        def run(
            conn: Connection,
        ) -> tuple[list[AttemptSummary], set[str], sa.Row[Any] | None, sa.Row[Any] | None]:
            found = conn.execute(sa.select(attempts).where(attempts.c.learner_id == learner_id)).all()
            done = conn.execute(
                sa.select(completions.c.module_id).where(completions.c.learner_id == learner_id)
            ).scalars()
            pledge = conn.execute(sa.select(pledges).where(pledges.c.learner_id == learner_id)).first()
            cert = conn.execute(
                sa.select(certificates).where(certificates.c.learner_id == learner_id)
            ).first()
            return [rows.attempt(row) for row in found], set(done), pledge, cert

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
            final=policy.final_status(finals, self.clock()),
            pledge=rows.pledge(pledge_row) if pledge_row else None,
            certificate=rows.certificate(cert_row) if cert_row else None,
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
            learner = queries.learner_row(conn, learner_id)
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
            return rows.pledge(row)

        return db.write(self.engine, run)

    def pledge(self, learner_id: str) -> Pledge | None:
        query = sa.select(pledges).where(pledges.c.learner_id == learner_id)
        row = db.read(self.engine, lambda conn: conn.execute(query).first())
        return rows.pledge(row) if row else None

    def issue_certificate(self, learner_id: str) -> Certificate:
        """The learner's certificate, issued on the first call (later calls return it).

        Requires a passed final assessment (the counted, highest attempt); raises
        :class:`CertificateError` otherwise. The name, unit and score are fixed at issue.
        """
        secret = certs.load_secret(self.data)
        key = signing.load_key(self.data)
        now = self.clock().astimezone(UTC)

        def run(conn: Connection) -> Certificate:
            existing = queries.certificate_row(conn, learner_id)
            if existing is not None:
                return rows.certificate(existing)
            learner = queries.learner_row(conn, learner_id, lock=True)
            finals = conn.execute(
                sa.select(attempts).where(
                    attempts.c.learner_id == learner_id,
                    attempts.c.kind == QUIZ,
                    attempts.c.activity_id == policy.FINAL_ID,
                )
            ).all()
            best = policy.counted_attempt(rows.attempt(row) for row in finals)
            if best is None or not best.passed or best.percent is None:
                raise CertificateError(t("records.certificates.not_passed"))
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
                    self._sign(conn, secret, key, {**draft.fields(), "code": code}, now)
                # Ours if just inserted; else another process's (or None: the code collided).
                existing = queries.certificate_row(conn, learner_id)
                if existing is not None:
                    return rows.certificate(existing)
            raise RecordsError(t("records.certificates.no_code"))

        return db.write(self.engine, run)

    @staticmethod
    def _sign(
        conn: Connection, secret: bytes, key: signing.SigningKey, fields: Mapping[str, object], now: datetime
    ) -> None:
        """Sign a new certificate with this installation's key (recorded as ``own``)."""
        own = {
            "key_id": key.id,
            "public_key": key.public_text,
            "origin": signing.OWN,
            "label": t("records.signing.own_label"),
            "added_at": now,
            "seal": signing.seal(secret, key.id, key.public_text, signing.OWN),
        }
        db.insert_ignore(conn, signing_keys, own)
        signature = {"certificate_id": fields["id"], "key_id": key.id, "signature": key.sign(fields)}
        db.insert_ignore(conn, certificate_signatures, signature)

    def certificate(self, learner_id: str) -> Certificate | None:
        row = db.read(self.engine, lambda conn: queries.certificate_row(conn, learner_id))
        return rows.certificate(row) if row else None

    def verify_certificate(self, code: str) -> Verification:
        """Check a code offline against this installation's records and secret."""
        try:
            code = certs.normalise_code(code)
        except CodeFormatError as exc:
            return Verification(False, exc.message)
        query = sa.select(certificates).where(certificates.c.code == code)
        row = db.read(self.engine, lambda conn: conn.execute(query).first())
        if row is None:
            return Verification(False, t("records.certificates.verify.unknown", code=code))
        cert = rows.certificate(row)
        if not (self._code_matches(cert, code) or self._signature_holds(cert)):
            return Verification(
                False,
                t("records.certificates.verify.mismatch", code=code),
            )
        local = cert.issued_at.astimezone(policy.COURSE_TZ)
        return Verification(
            True,
            t(
                "records.certificates.verify.valid",
                code=code,
                full_name=cert.full_name,
                unit=cert.unit,
                local=local,
                score_percent=cert.score_percent,
            ),
            cert,
        )

    def sign_issued_certificates(self) -> int:
        """Sign this installation's certificates issued before signatures existed (migration 7),
        each only if its code is this installation's HMAC of it; returns how many were signed.
        ``records export`` calls it, so a kiosk's older certificates verify where they go."""
        query = sa.select(certificates).where(
            ~sa.exists().where(certificate_signatures.c.certificate_id == certificates.c.id)
        )
        unsigned = [rows.certificate(row) for row in db.read(self.engine, lambda c: c.execute(query).all())]
        mine = [cert for cert in unsigned if self._code_matches(cert, cert.code)]
        if not mine:
            return 0
        secret = certs.load_secret(self.data)
        key = signing.load_key(self.data)
        now = self.clock()

        def run(conn: Connection) -> None:
            for cert in mine:
                self._sign(conn, secret, key, {**cert.fields(), "code": cert.code}, now)

        db.write(self.engine, run)
        return len(mine)

    def export_statements(
        self,
        *,
        since: datetime | None = None,
        home: str | None = None,
        with_names: bool = False,
        course_id: str = "course",
    ) -> list[JsonObject]:
        """Every record made at or after ``since`` as xAPI statements, oldest first
        (:func:`widgets.records.interchange.export.export_statements`)."""
        from widgets.records.interchange.export import export_statements  # only the command needs it

        return export_statements(
            self.engine, since=since, home=home, with_names=with_names, course_id=course_id
        )

    def import_file(self, path: Path, *, pinned_only: bool = False) -> ImportReport:
        """Merge one exported ``.jsonl`` file; a kiosk's key is sealed under this installation's
        certificate secret (:func:`widgets.records.interchange.merge.import_file`)."""
        from widgets.records.interchange.merge import import_file  # only the command needs it

        secret = certs.load_secret(self.data)
        return import_file(self.engine, path, secret=secret, pinned_only=pinned_only)

    def trust_key(self, public_text: object, *, origin: str, label: str) -> tuple[str, bool]:
        """Trust a certificate-signing public key (base64 Ed25519), sealed under this installation's
        certificate secret; ``(key ID, added)`` (see :func:`widgets.records.signing.trust_key`)."""
        secret = certs.load_secret(self.data)
        now = self.clock()
        return db.write(
            self.engine,
            lambda conn: signing.trust_key(conn, secret, public_text, origin=origin, label=label, now=now),
        )

    def revoke_key(self, key_id: str) -> bool:
        """Withdraw trust from a signing key from now on; whether a trusted key had that ID."""
        now = self.clock()
        return db.write(self.engine, lambda conn: signing.revoke_key(conn, key_id, now))

    def trusted_keys(self) -> list[signing.TrustedKey]:
        """Every recorded signing key, oldest first, with whether this installation sealed it."""
        secret = certs.load_secret(self.data)
        return db.read(self.engine, lambda conn: signing.trusted_keys(conn, secret))

    def _code_matches(self, cert: Certificate, code: str) -> bool:
        """The code is this installation's HMAC of the certificate (it issued it)."""
        try:
            secret = certs.load_secret(self.data, create=False)
        except FileNotFoundError:
            return False
        return any(certs.check_code(secret, certs.payload(f), code) for f in self._signed_fields(cert))

    def _signature_holds(self, cert: Certificate) -> bool:
        """The certificate carries a valid Ed25519 signature by a key this installation trusts
        and has not revoked (its own, or a kiosk's: see :mod:`widgets.records.signing`)."""
        try:
            secret = certs.load_secret(self.data, create=False)
        except FileNotFoundError:
            return False
        query = (
            sa.select(certificate_signatures.c.signature, signing_keys)
            .join(signing_keys, signing_keys.c.key_id == certificate_signatures.c.key_id)
            .where(certificate_signatures.c.certificate_id == cert.id, signing_keys.c.revoked_at.is_(None))
        )
        found = db.read(self.engine, lambda conn: conn.execute(query).first())
        if found is None or not signing.sealed(secret, found):
            return False
        public = signing.decode_public(found.public_key)
        return signing.check(public, {**cert.fields(), "code": cert.code}, found.signature)

    def _signed_fields(self, cert: Certificate) -> list[dict[str, str | float]]:
        """The fields a code may have been made over: as stored, and with each ID the learner
        had before migration 6 re-keyed it (certificates issued before keep their codes)."""
        query = sa.select(learner_aliases.c.alias_id).where(learner_aliases.c.learner_id == cert.learner_id)
        aliases = db.read(self.engine, lambda conn: conn.execute(query).scalars().all())
        fields = cert.fields()
        return [fields, *({**fields, "learner_id": alias} for alias in aliases)]

    # ------------------------------------------------------------------ privacy

    def export_learner(self, learner_id: str) -> dict[str, object]:
        """Everything stored about one learner, as JSON-able data."""

        def run(conn: Connection) -> dict[str, object]:
            learner = queries.learner_row(conn, learner_id)
            out: dict[str, object] = {
                "format": EXPORT_FORMAT,
                "format_version": 1,
                "schema_version": migrations.current_version(conn),
                "exported_at": rows.iso(self.clock()),
                "learner": rows.jsonable_row(learner),
            }
            for table in reversed(LEARNER_TABLES):
                query = sa.select(table).where(table.c.learner_id == learner_id)
                order = [c for c in ("started_at", "answered_at", "chosen_at") if c in table.c]
                query = query.order_by(*(table.c[c] for c in order), *table.primary_key)
                out[table.name] = [
                    {k: v for k, v in rows.jsonable_row(row).items() if k not in _SECRET_COLUMNS}
                    for row in conn.execute(query)
                ]
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


def _answer_values(
    answer_id: str,
    attempt_id: str,
    learner_id: str,
    module_id: str,
    answer: AnswerResult,
    try_no: int,
    at: datetime,
) -> dict[str, object]:
    """An ``answers`` row for ``answer`` (question ID, try, score and response checked)."""
    return {
        "id": answer_id,
        "attempt_id": attempt_id,
        "learner_id": learner_id,
        "module_id": module_id,
        "question_id": rows.text_id(answer.question_id, "question_id"),
        "try_no": rows.positive(try_no, "try_no"),
        "response": rows.encode_json(answer.response),
        "score": rows.finite(answer.score, "score"),
        "max_score": rows.finite(answer.max_score, "max_score"),
        "correct": bool(answer.correct),
        "cites": rows.encode_json(answer.cites),
        "answered_at": at,
    }


def _choice_values(
    choice_id: str,
    attempt_id: str,
    learner_id: str,
    module_id: str,
    scenario_id: str,
    step_no: int,
    step: ScenarioStep,
    at: datetime,
) -> dict[str, object]:
    """A ``scenario_choices`` row for ``step`` (node, action and next node checked)."""
    return {
        "id": choice_id,
        "attempt_id": attempt_id,
        "learner_id": learner_id,
        "module_id": module_id,
        "scenario_id": scenario_id,
        "step_no": step_no,
        "node_id": rows.text_id(step.node_id, "node_id"),
        "action_id": rows.text_id(step.action_id, "action_id"),
        "rating": str(step.rating),
        "next_node_id": rows.text_id(step.next_node_id, "next_node_id"),
        "chosen_at": at,
    }


class _Finished(TypedDict, total=False):
    """An attempt's columns set when it ends (quiz, scenario or review)."""

    finished_at: Required[datetime]
    score: float
    max_score: float
    passed: bool
    pass_mark: int
    end_node_id: str | None


def _latest_unfinished(
    conn: Connection, learner_id: str, which: sa.ColumnElement[bool]
) -> sa.Row[Any] | None:
    """The learner's latest unfinished attempt matching ``which`` (to resume), else ``None``."""
    return conn.execute(
        sa.select(attempts)
        .where(attempts.c.learner_id == learner_id, which, attempts.c.finished_at.is_(None))
        .order_by(attempts.c.started_at.desc(), attempts.c.id.desc())
        .limit(1)
    ).first()
