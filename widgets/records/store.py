"""The records API the views and commands call.

``store = open_store()`` once per kernel (the engine behind it is cached per URL), then one
method call per event. Every write is one short transaction: an answer or a scenario choice
is stored the moment it is made, under a client-generated UUID, with
``INSERT … ON CONFLICT DO NOTHING``, so a repeated write (a retry, a double click, a merged
export) changes nothing. Nothing lives only in kernel memory: a fresh kernel resumes from
:meth:`Store.open_attempt` and :meth:`Store.progress`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

from widgets.engine.progress import Requirement
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.i18n import t
from widgets.records import audit as audit_trail
from widgets.records import (
    certificate_desk,
    config,
    db,
    identity,
    kiosk,
    learner_lookup,
    migrations,
    pledge_book,
    policy,
    privacy,
    queries,
    reading,
    rows,
    signin,
    signing,
    writes,
)
from widgets.records import certificates as certs
from widgets.records.errors import (
    SessionRefusedError,
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
from widgets.records.privacy import EXPORT_FORMAT as EXPORT_FORMAT  # re-exported: the tests read it here
from widgets.records.queries import QUIZ, REVIEW, REVIEW_ID, SCENARIO
from widgets.records.rooms import Rooms
from widgets.records.schema import (
    answers,
    scenario_choices,
)
from widgets.records.statistics.snapshot import Statistics

if TYPE_CHECKING:
    from widgets.jsonvalue import JsonObject
    from widgets.records.interchange.merge import ImportReport


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

    def _secret(self) -> bytes:
        """:attr:`identity_secret` as a callable: :mod:`widgets.records.signin` reads it only to
        key a new learner."""
        return self.identity_secret

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
        secret = self._secret  # read only when a learner is created
        return db.write(
            self.engine, lambda conn: rows.learner(signin.find_or_create(conn, entry, now, secret)[0])
        )

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
        (:class:`PinLockedError` while locked) with a Vietnamese message
        (:mod:`widgets.records.signin`).
        """
        entry = identity.validate_sign_in(name, unit, role, staff_code)
        return signin.authenticate(self.engine, self.clock, self._secret, entry, pin, pin_confirm)

    def has_pin(self, learner_id: str) -> bool:
        """Whether the learner has set a PIN (and it has not been reset since)."""
        return signin.has_pin(self.engine, learner_id)

    def locked_until(self, learner_id: str) -> datetime | None:
        """Until when the learner's sign-in is locked (``None`` if it is not)."""
        return signin.locked_until(self.engine, learner_id, self.clock)

    def reset_pin(self, learner_id: str, *, by: str = "trainer") -> None:
        """A trainer's reset: the PIN, its lockout and the learner's sessions are gone; the
        learner sets a new PIN at the next sign-in. Audited with ``by``."""
        signin.reset_pin(self.engine, learner_id, by, self.clock())

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
        spacing ignored): what a trainer types to find someone (:mod:`widgets.records.learner_lookup`)."""
        return learner_lookup.search(self.engine, text, limit)

    def learner_by_alias(self, alias_id: str) -> Learner | None:
        """The learner an ID from before migration 6 now belongs to, if any."""
        return learner_lookup.by_alias(self.engine, alias_id)

    def get_learner(self, learner_id: str) -> Learner | None:
        return learner_lookup.get(self.engine, learner_id)

    def find_learners(
        self, *, staff_code: object = None, name: object = None, unit: object = None
    ) -> list[Learner]:
        """Learners with this staff code, or this name + unit (no creation)."""
        return learner_lookup.find(self.engine, staff_code, name, unit)

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
        values = writes.answer_values(
            answer_id, attempt_id, learner_id, module_id or quiz_id, answer, try_no, at
        )
        writes.write_row(self.engine, self._known, answers, values, (learner_id, QUIZ, quiz_id), quiz_id, at)
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
        values = writes.choice_values(
            choice_id, run_id, learner_id, module_id, scenario_id, step_no, step, at
        )
        writes.write_row(
            self.engine,
            self._known,
            scenario_choices,
            values,
            (learner_id, SCENARIO, scenario_id),
            module_id,
            at,
        )
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
        values = writes.answer_values(answer_id, review_id, learner_id, module_id, answer, try_no, at)
        writes.write_row(
            self.engine, self._known, answers, values, (learner_id, REVIEW, REVIEW_ID), REVIEW_ID, at
        )
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
        values = writes.choice_values(choice_id, review_id, learner_id, module_id, scenario_id, 0, step, at)
        writes.write_row(
            self.engine, self._known, scenario_choices, values, (learner_id, REVIEW, REVIEW_ID), REVIEW_ID, at
        )
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
        values: writes.Finished = {
            "finished_at": finished_at or self.clock(),
            "score": rows.finite(score, "score"),
            "max_score": rows.finite(max_score, "max_score"),
        }
        return writes.finish(self.engine, learner_id, REVIEW, REVIEW_ID, REVIEW_ID, review_id, values)

    def open_review(self, learner_id: str) -> OpenAttempt | None:
        """The latest unfinished review with its answers and its decision, to resume; else ``None``."""
        return reading.open_review(self.engine, learner_id)

    def choices(self, learner_id: str) -> list[StoredChoice]:
        """Every scenario choice of a learner (runs and reviews), oldest first."""
        return reading.choice_list(self.engine, learner_id)

    def finish_quiz(
        self, learner_id: str, result: QuizResult, *, module_id: str | None = None
    ) -> AttemptSummary:
        """Close a quiz attempt with its score; the first finish counts (idempotent)."""
        now = self.clock()
        values: writes.Finished = {
            "finished_at": now,
            "score": rows.finite(result.score, "score"),
            "max_score": rows.finite(result.max_score, "max_score"),
            "passed": bool(result.passed),
            "pass_mark": int(result.pass_mark),
        }
        return writes.finish(
            self.engine, learner_id, QUIZ, result.quiz_id, module_id, result.attempt_id, values
        )

    def finish_scenario(
        self, learner_id: str, run_id: str, module_id: str, result: ScenarioResult
    ) -> AttemptSummary:
        """Close a scenario run that reached an end node (idempotent)."""
        if not result.finished:
            raise ValueError("the scenario has not reached an end node")
        values: writes.Finished = {
            "finished_at": self.clock(),
            "score": float(result.score),
            "max_score": float(result.max_score),
            "end_node_id": result.end_node_id,
        }
        return writes.finish(self.engine, learner_id, SCENARIO, result.scenario_id, module_id, run_id, values)

    # ------------------------------------------------------------------ reading

    def attempts(self, learner_id: str, activity_id: str | None = None) -> list[AttemptSummary]:
        """The learner's attempts (of one quiz or scenario if given), oldest first."""
        return reading.attempt_list(self.engine, learner_id, activity_id)

    def open_attempt(self, learner_id: str, activity_id: str) -> OpenAttempt | None:
        """The latest unfinished attempt at a quiz or scenario, to resume; else ``None``.

        Quizzes: ``answers`` maps each answered question ID to its latest answer (highest
        ``try_no``, then latest time). Scenarios: ``steps`` is the path so far.
        """

        return reading.open_attempt(self.engine, learner_id, activity_id)

    def latest_answers(self, attempt_id: str) -> dict[str, StoredAnswer]:
        """Question ID → latest answer within one attempt."""
        return dict(db.read(self.engine, lambda conn: queries.latest_answers(conn, attempt_id)))

    def answers(self, learner_id: str) -> list[StoredAnswer]:
        """Every answer of a learner, in the order given."""
        return reading.answer_list(self.engine, learner_id)

    def final_status(self, learner_id: str) -> FinalStatus:
        """The final assessment's attempts under :mod:`widgets.records.policy`."""
        return policy.final_status(self.attempts(learner_id, policy.FINAL_ID), self.clock())

    def progress(self, learner_id: str, requirements: Sequence[Requirement]) -> Progress:
        """Each module's state, the final assessment, the pledge and the certificate.

        A module found complete for the first time is recorded in ``completions`` (so it
        stays complete if the course's requirements change later).
        """

        return reading.progress(self.engine, self.clock, learner_id, requirements)

    # --------------------------------------------------------- pledge, certificate

    def record_pledge(self, learner_id: str, text: object) -> Pledge:
        """Record the learner's pledge with their name and unit; the first one is kept."""
        return pledge_book.record_pledge(self.engine, learner_id, text, self.clock())

    def pledge(self, learner_id: str) -> Pledge | None:
        return pledge_book.pledge(self.engine, learner_id)

    def issue_certificate(self, learner_id: str) -> Certificate:
        """The learner's certificate, issued on the first call (later calls return it).

        Requires a passed final assessment (the counted, highest attempt); raises
        :class:`CertificateError` otherwise. The name, unit and score are fixed at issue
        (:mod:`widgets.records.certificate_desk`).
        """
        return certificate_desk.issue(self.engine, self.data, self.clock, learner_id)

    def certificate(self, learner_id: str) -> Certificate | None:
        row = db.read(self.engine, lambda conn: queries.certificate_row(conn, learner_id))
        return rows.certificate(row) if row else None

    def verify_certificate(self, code: str) -> Verification:
        """Check a code offline against this installation's records and secret."""
        return certificate_desk.verify(self.engine, self.data, code)

    def sign_issued_certificates(self) -> int:
        """Sign this installation's certificates issued before signatures existed (migration 7),
        each only if its code is this installation's HMAC of it; returns how many were signed.
        ``records export`` calls it, so a kiosk's older certificates verify where they go."""
        return certificate_desk.sign_issued(self.engine, self.data, self.clock)

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

    # ------------------------------------------------------------------ privacy

    def export_learner(self, learner_id: str) -> dict[str, object]:
        """Everything stored about one learner, as JSON-able data (:mod:`widgets.records.privacy`)."""
        return privacy.export_learner(self.engine, learner_id, self.clock)

    def delete_learner(self, learner_id: str) -> dict[str, int]:
        """Delete one learner and every row of theirs; return rows deleted per table."""
        return privacy.delete_learner(self.engine, learner_id)
