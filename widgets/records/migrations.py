"""Versioned, forward-only schema migrations.

Each migration is a small function of a connection, applied once and recorded in
``schema_version``. An applied migration is never edited: it defines its tables as they were
then (not from :mod:`widgets.records.schema`), so that upgrading an old database replays
history faithfully. :func:`upgrade` brings any older database to the current version in
one transaction, serialised between processes (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an
advisory lock), so that many kernels starting at once migrate exactly once.
"""

from __future__ import annotations

import dataclasses as dc
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.i18n import t
from widgets.records import db, identity, timelines
from widgets.records.errors import RecordsError, SchemaTooNewError
from widgets.records.schema import UTCDateTime

log = logging.getLogger(__name__)

_PG_LOCK_KEY = 1273_0005
"""Advisory lock key that serialises migrations on PostgreSQL."""


SecretSource = Callable[[], bytes]
"""Gives the installation's identity secret (migration 6 re-keys the learner IDs with it)."""


@dc.dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]
    keyed: Callable[[Connection, SecretSource | None], None] | None = None
    """Instead of ``apply``: a migration that needs the identity secret."""
    derived: Callable[[Connection], None] | None = None
    """Fills the derived data a migration's tables hold, with the current code: run once the
    whole upgrade's schema is in place (so a later migration may change those tables)."""


def _learner_fk(*, index: bool = False, unique: bool = False) -> sa.Column[str]:
    return sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        nullable=False,
        index=index or None,
        unique=unique or None,
    )


def _m1_learning_records(conn: Connection) -> None:
    """Learners, attempts, answers and scenario choices."""
    md = sa.MetaData()
    sa.Table(
        "learners",
        md,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("staff_code", sa.String(32), unique=True),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("unit_key", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
        sa.Index("ix_learners_name_unit", "name_key", "unit_key"),
    )
    sa.Table(
        "attempts",
        md,
        sa.Column("id", sa.String(36), primary_key=True),
        _learner_fk(index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("activity_id", sa.String(200), nullable=False),
        sa.Column("module_id", sa.String(200), nullable=False),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("finished_at", UTCDateTime),
        sa.Column("score", sa.Float),
        sa.Column("max_score", sa.Float),
        sa.Column("passed", sa.Boolean),
        sa.Column("pass_mark", sa.Integer),
        sa.Column("end_node_id", sa.String(200)),
        sa.Index("ix_attempts_activity", "activity_id", "started_at"),
    )
    attempt_fk = sa.ForeignKey("attempts.id", ondelete="CASCADE")
    sa.Table(
        "answers",
        md,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("attempt_id", sa.String(36), attempt_fk, nullable=False, index=True),
        _learner_fk(index=True),
        sa.Column("module_id", sa.String(200), nullable=False),
        sa.Column("question_id", sa.String(200), nullable=False, index=True),
        sa.Column("try_no", sa.Integer, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("max_score", sa.Float, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("cites", sa.Text, nullable=False),
        sa.Column("answered_at", UTCDateTime, nullable=False),
    )
    sa.Table(
        "scenario_choices",
        md,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "attempt_id",
            sa.String(36),
            sa.ForeignKey("attempts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        _learner_fk(index=True),
        sa.Column("module_id", sa.String(200), nullable=False),
        sa.Column("scenario_id", sa.String(200), nullable=False),
        sa.Column("step_no", sa.Integer, nullable=False),
        sa.Column("node_id", sa.String(200), nullable=False),
        sa.Column("action_id", sa.String(200), nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
        sa.Column("next_node_id", sa.String(200), nullable=False),
        sa.Column("chosen_at", UTCDateTime, nullable=False),
        sa.Index("ix_scenario_choices_node", "scenario_id", "node_id"),
    )
    md.create_all(conn)


def _m2_course_end(conn: Connection) -> None:
    """Module completions, pledges and certificates."""
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    new = [
        sa.Table(
            "completions",
            md,
            sa.Column(
                "learner_id",
                sa.String(36),
                sa.ForeignKey("learners.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("module_id", sa.String(200), primary_key=True),
            sa.Column("completed_at", UTCDateTime, nullable=False),
        ),
        sa.Table(
            "pledges",
            md,
            sa.Column("id", sa.String(36), primary_key=True),
            _learner_fk(unique=True),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("full_name", sa.Text, nullable=False),
            sa.Column("unit", sa.Text, nullable=False),
            sa.Column("pledged_at", UTCDateTime, nullable=False),
        ),
        sa.Table(
            "certificates",
            md,
            sa.Column("id", sa.String(36), primary_key=True),
            _learner_fk(unique=True),
            sa.Column("code", sa.String(12), nullable=False, unique=True),
            sa.Column("full_name", sa.Text, nullable=False),
            sa.Column("unit", sa.Text, nullable=False),
            sa.Column("role", sa.Text, nullable=False),
            sa.Column("score_percent", sa.Float, nullable=False),
            sa.Column("attempt_id", sa.String(36), nullable=False),
            sa.Column("issued_at", UTCDateTime, nullable=False),
        ),
    ]
    md.create_all(conn, tables=new)


def _m3_rooms(conn: Connection) -> None:
    """Live workshop rooms and their members."""
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    new = [
        sa.Table(
            "rooms",
            md,
            sa.Column("id", sa.String(36), primary_key=True),
            sa.Column("code", sa.String(8), nullable=False, unique=True),
            sa.Column("title", sa.Text, nullable=False),
            sa.Column("focus", sa.Text),
            sa.Column("opened_at", UTCDateTime, nullable=False),
            sa.Column("closed_at", UTCDateTime),
        ),
        sa.Table(
            "room_members",
            md,
            sa.Column(
                "room_id",
                sa.String(36),
                sa.ForeignKey("rooms.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column(
                "learner_id",
                sa.String(36),
                sa.ForeignKey("learners.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("joined_at", UTCDateTime, nullable=False),
            sa.Index("ix_room_members_learner", "learner_id"),
        ),
    ]
    md.create_all(conn, tables=new)


def _m4_kiosk_sessions(conn: Connection) -> None:
    """Kiosk sessions: token hash → learner, with a sliding expiry."""
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    table = sa.Table(
        "kiosk_sessions",
        md,
        sa.Column("token_hash", sa.String(64), primary_key=True),
        _learner_fk(index=True),
        sa.Column("started_at", UTCDateTime, nullable=False),
        sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
    )
    md.create_all(conn, tables=[table])


def _m5_report_indexes(conn: Connection) -> None:
    """Indexes that hold every column the trainer dashboard's aggregations read, in the order
    they group by (the reports read the index alone and need not sort). The two dropped
    indexes are prefixes of their replacements."""
    md = sa.MetaData()

    def table(name: str, *columns: str) -> sa.Table:
        return sa.Table(name, md, *(sa.Column(column) for column in columns))

    attempts = table("attempts", "learner_id", "kind", "activity_id", "finished_at", "passed", "started_at")
    answers = table(
        "answers", "attempt_id", "question_id", "try_no", "id", "correct", "score", "max_score", "module_id"
    )
    choices = table(
        "scenario_choices", "scenario_id", "node_id", "learner_id", "chosen_at", "id", "action_id", "rating"
    )
    sa.Index("ix_answers_attempt_id", answers.c.attempt_id).drop(conn)
    sa.Index("ix_scenario_choices_node", choices.c.scenario_id, choices.c.node_id).drop(conn)
    for index_name, covered in (
        ("ix_attempts_learner_activity", attempts),
        ("ix_answers_attempt_question", answers),
        ("ix_scenario_choices_node_learner", choices),
    ):
        sa.Index(index_name, *covered.columns).create(conn)


def _m6_identity(conn: Connection, secret: SecretSource | None) -> None:
    """PINs, lockouts, ID aliases and the audit trail; every learner's public uuid5 ID is
    replaced by the keyed one (:func:`identity.keyed_learner_id`) in every table that holds
    it, and kept as an alias. Open sessions end (their learners sign in again, with a PIN)."""
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    new = [
        sa.Table(
            "credentials",
            md,
            sa.Column(
                "learner_id",
                sa.String(36),
                sa.ForeignKey("learners.id", ondelete="CASCADE"),
                primary_key=True,
            ),
            sa.Column("pin_hash", sa.String(128)),
            sa.Column("pin_salt", sa.String(64)),
            sa.Column("pin_params", sa.String(40)),
            sa.Column("pin_set_at", UTCDateTime),
            sa.Column("failed_tries", sa.Integer, nullable=False),
            sa.Column("lockouts", sa.Integer, nullable=False),
            sa.Column("locked_until", UTCDateTime),
        ),
        sa.Table(
            "learner_aliases",
            md,
            sa.Column("alias_id", sa.String(36), primary_key=True),
            _learner_fk(index=True),
            sa.Column("created_at", UTCDateTime, nullable=False),
        ),
        sa.Table(
            "audit_events",
            md,
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("at", UTCDateTime, nullable=False),
            sa.Column("event", sa.String(40), nullable=False),
            sa.Column("learner_id", sa.String(36)),
            sa.Column("detail", sa.Text, nullable=False),
            sa.Index("ix_audit_events_at", "at"),
            sa.Index("ix_audit_events_learner", "learner_id", "at"),
            sa.Index("ix_audit_events_event", "event", "at"),
        ),
    ]
    md.create_all(conn, tables=new)
    _append_only(conn, "audit_events")
    conn.execute(sa.text("DELETE FROM kiosk_sessions"))
    people = conn.execute(sa.text("SELECT id, staff_code, name_key, unit_key FROM learners")).all()
    if not people:
        return
    if secret is None:
        raise RecordsError(t("records.migrations.needs_identity_key"))
    key = secret()
    taken = {row.id for row in people}
    now = datetime.now(UTC)
    for row in people:
        new_id = identity.keyed_learner_id(key, row.staff_code, row.name_key, row.unit_key)
        if new_id == row.id:
            continue
        if new_id in taken:  # two rows for one person (cannot happen with uuid5 IDs): keep both
            log.warning("learner %s keeps its ID: %s is taken", row.id, new_id)
            continue
        _rekey_learner(conn, row.id, new_id, now)
        taken.add(new_id)


def _m6_unkeyed(conn: Connection) -> None:
    _m6_identity(conn, None)


_M6_ALIASES = sa.table(
    "learner_aliases", sa.column("alias_id"), sa.column("learner_id"), sa.column("created_at", UTCDateTime)
)
_M6_LEARNER_CHILDREN = (
    "attempts",
    "answers",
    "scenario_choices",
    "completions",
    "pledges",
    "certificates",
    "room_members",
)


def _rekey_learner(conn: Connection, old: str, new: str, now: datetime) -> None:
    """Move one learner and every row of theirs from ID ``old`` to ``new`` (``old`` stays as
    an alias). The copy is made before the rows move, so every foreign key holds throughout."""
    columns = "full_name, unit, role, staff_code, name_key, unit_key, created_at"
    code = conn.execute(sa.text("SELECT staff_code FROM learners WHERE id = :old"), {"old": old}).scalar()
    conn.execute(sa.text("UPDATE learners SET staff_code = NULL WHERE id = :old"), {"old": old})
    conn.execute(
        sa.text(
            f"INSERT INTO learners (id, {columns}) SELECT :new, full_name, unit, role, :code, "
            "name_key, unit_key, created_at FROM learners WHERE id = :old"
        ),
        {"new": new, "old": old, "code": code},
    )
    for table in _M6_LEARNER_CHILDREN:
        conn.execute(
            sa.text(f"UPDATE {table} SET learner_id = :new WHERE learner_id = :old"), {"new": new, "old": old}
        )
    conn.execute(sa.text("DELETE FROM learners WHERE id = :old"), {"old": old})
    conn.execute(_M6_ALIASES.insert().values(alias_id=old, learner_id=new, created_at=now))


def _append_only(conn: Connection, table: str) -> None:
    """Triggers that refuse UPDATE and DELETE on ``table`` (both backends)."""
    message = f"{table} is append-only"
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
            )
        )
        conn.execute(
            sa.text(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
        )
        return
    for action in ("UPDATE", "DELETE"):
        conn.execute(
            sa.text(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        )


def _m7_certificate_signatures(conn: Connection) -> None:
    """Trusted Ed25519 keys and certificate signatures (see :mod:`widgets.records.signing`):
    certificates merged from kiosks verify on the trainer's installation."""
    md = sa.MetaData()
    sa.Table("certificates", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    keys = sa.Table(
        "signing_keys",
        md,
        sa.Column("key_id", sa.String(16), primary_key=True),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("added_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime),
        sa.Column("seal", sa.String(64), nullable=False),
    )
    signatures = sa.Table(
        "certificate_signatures",
        md,
        sa.Column(
            "certificate_id",
            sa.String(36),
            sa.ForeignKey("certificates.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("key_id", sa.String(16), sa.ForeignKey("signing_keys.key_id"), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.Index("ix_certificate_signatures_key", "key_id"),
    )
    md.create_all(conn, tables=[keys, signatures])


def _m8_retention_timelines(conn: Connection) -> None:
    """Each learner's mastery timelines for the trainer's retention report (issue 20; see
    :mod:`widgets.records.timelines`), filled by :func:`_m8_backfill`."""
    md = sa.MetaData()
    sa.Table("learners", md, sa.Column("id", sa.String(36), primary_key=True))  # FK target
    table = sa.Table(
        "retention_timelines",
        md,
        sa.Column(
            "learner_id",
            sa.String(36),
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("clauses", sa.LargeBinary, nullable=False),
        sa.Column("spans", sa.LargeBinary, nullable=False),
    )
    md.create_all(conn, tables=[table])


def _m8_backfill(conn: Connection) -> None:
    """Every learner's timelines, under the course this installation serves (if it cannot be
    read, they are left to the report, which computes what it finds missing)."""
    if conn.execute(sa.text("SELECT 1 FROM learners LIMIT 1")).first() is not None:
        timelines.refresh(conn, None)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "learners, attempts, answers, scenario choices", _m1_learning_records),
    Migration(2, "completions, pledges, certificates", _m2_course_end),
    Migration(3, "workshop rooms and their members", _m3_rooms),
    Migration(4, "kiosk sessions", _m4_kiosk_sessions),
    Migration(5, "covering indexes for the trainer reports", _m5_report_indexes),
    Migration(6, "keyed learner IDs, PINs, lockouts, audit trail", _m6_unkeyed, _m6_identity),
    Migration(7, "certificate signatures and trusted kiosk keys", _m7_certificate_signatures),
    Migration(8, "mastery timelines for the retention report", _m8_retention_timelines, derived=_m8_backfill),
)
CURRENT_VERSION = MIGRATIONS[-1].version

_version_table = sa.Table(
    "schema_version",
    sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)


def current_version(conn: Connection) -> int:
    """The database's schema version; 0 for an empty database."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return int(conn.execute(sa.select(sa.func.max(_version_table.c.version))).scalar() or 0)


def _already_at(engine: Engine, target: int) -> bool:
    """Whether the schema is at ``target``, read in a plain read transaction.

    Every page's kernel opens the store: on a current schema this takes no write lock (a
    kiosk's page does not wait for another one's answer) and loads no schema inspector
    (about 4 MB and 40 ms per kernel).
    """

    def read_version(conn: Connection) -> int | None:
        return conn.execute(sa.select(sa.func.max(_version_table.c.version))).scalar()

    try:
        return db.read(engine, read_version) == target
    except sa.exc.DBAPIError:  # no version table yet: the full upgrade below decides
        return False


def upgrade(engine: Engine, target: int | None = None, *, secret: SecretSource | None = None) -> int:
    """Apply every pending migration up to ``target`` (default: current) in one transaction.

    ``secret`` gives the identity secret when a migration re-keys learners (only called if
    there are learners to re-key). Returns the version reached. Raises
    :class:`SchemaTooNewError` if the database is newer than this code knows.
    """
    target = CURRENT_VERSION if target is None else target
    if _already_at(engine, target):
        return target

    def run(conn: Connection) -> int:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
        version = current_version(conn)
        if version > CURRENT_VERSION:
            raise SchemaTooNewError(t("records.migrations.newer", version=version, current=CURRENT_VERSION))
        if version == 0:
            _version_table.create(conn)
        derived = []
        for migration in MIGRATIONS:
            if version < migration.version <= target:
                if migration.keyed is not None:
                    migration.keyed(conn, secret)
                else:
                    migration.apply(conn)
                conn.execute(
                    _version_table.insert().values(
                        version=migration.version,
                        description=migration.description,
                        applied_at=datetime.now(UTC),
                    )
                )
                version = migration.version
                if migration.derived is not None:
                    derived.append(migration.derived)
        if version == CURRENT_VERSION:  # the current schema: the current code can fill it
            for fill in derived:
                fill(conn)
        return version

    return db.write(engine, run)
