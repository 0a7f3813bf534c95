"""The current schema as SQLAlchemy Core tables (what the store queries).

The database is built only by :mod:`widgets.records.migrations`; a test checks that the
migrated database matches these definitions. Every row a learner makes has a
client-generated UUID primary key, so a repeated or merged write is harmless, and carries
``learner_id`` so that export and deletion of one learner are simple.

Later features add tables by a new migration (e.g. ``rooms`` and ``room_members`` for live
workshop rooms, an ``answers.room_id`` column), never by editing an applied migration.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored in UTC (``timestamptz`` on PostgreSQL, text on SQLite)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def uuid_column(name: str = "id") -> sa.Column[str]:
    return sa.Column(name, sa.String(36), primary_key=True)


def learner_fk() -> sa.Column[str]:
    return sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )


metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", UTCDateTime, nullable=False),
)

learners = sa.Table(
    "learners",
    metadata,
    uuid_column(),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("staff_code", sa.String(32), unique=True),
    sa.Column("name_key", sa.Text, nullable=False),
    sa.Column("unit_key", sa.Text, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Index("ix_learners_name_unit", "name_key", "unit_key"),
)

attempts = sa.Table(
    "attempts",
    metadata,
    uuid_column(),
    learner_fk(),
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
    # Migration 5: what each learner has met, read by the dashboard from the index alone.
    sa.Index(
        "ix_attempts_learner_activity",
        "learner_id",
        "kind",
        "activity_id",
        "finished_at",
        "passed",
        "started_at",
    ),
)

answers = sa.Table(
    "answers",
    metadata,
    uuid_column(),
    sa.Column(
        "attempt_id",
        sa.String(36),
        sa.ForeignKey("attempts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    learner_fk(),
    sa.Column("module_id", sa.String(200), nullable=False),
    sa.Column("question_id", sa.String(200), nullable=False, index=True),
    sa.Column("try_no", sa.Integer, nullable=False),
    # Canonical JSON of the engine's response: comparable and groupable as text.
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("max_score", sa.Float, nullable=False),
    sa.Column("correct", sa.Boolean, nullable=False),
    sa.Column("cites", sa.Text, nullable=False),  # JSON array of clause IDs
    sa.Column("answered_at", UTCDateTime, nullable=False),
    # Migration 5 (replacing ix_answers_attempt_id): an attempt's marks, for the item analysis.
    sa.Index(
        "ix_answers_attempt_question",
        "attempt_id",
        "question_id",
        "try_no",
        "id",
        "correct",
        "score",
        "max_score",
        "module_id",
    ),
)

scenario_choices = sa.Table(
    "scenario_choices",
    metadata,
    uuid_column(),
    sa.Column(
        "attempt_id",
        sa.String(36),
        sa.ForeignKey("attempts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    learner_fk(),
    sa.Column("module_id", sa.String(200), nullable=False),
    sa.Column("scenario_id", sa.String(200), nullable=False),
    sa.Column("step_no", sa.Integer, nullable=False),
    sa.Column("node_id", sa.String(200), nullable=False),
    sa.Column("action_id", sa.String(200), nullable=False),
    sa.Column("rating", sa.String(16), nullable=False),
    sa.Column("next_node_id", sa.String(200), nullable=False),
    sa.Column("chosen_at", UTCDateTime, nullable=False),
    # Migration 5 (replacing ix_scenario_choices_node): each learner's choices at a node, in order.
    sa.Index(
        "ix_scenario_choices_node_learner",
        "scenario_id",
        "node_id",
        "learner_id",
        "chosen_at",
        "id",
        "action_id",
        "rating",
    ),
)

completions = sa.Table(
    "completions",
    metadata,
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("module_id", sa.String(200), primary_key=True),
    sa.Column("completed_at", UTCDateTime, nullable=False),
)

pledges = sa.Table(
    "pledges",
    metadata,
    uuid_column(),
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("pledged_at", UTCDateTime, nullable=False),
)

certificates = sa.Table(
    "certificates",
    metadata,
    uuid_column(),
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        nullable=False,
        unique=True,
    ),
    sa.Column("code", sa.String(12), nullable=False, unique=True),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("score_percent", sa.Float, nullable=False),
    sa.Column("attempt_id", sa.String(36), nullable=False),
    sa.Column("issued_at", UTCDateTime, nullable=False),
)


# Live workshop rooms (migration 3; used by widgets.records.rooms). A member's answers and
# scenario choices made after ``joined_at`` count in the room's live distribution.
rooms = sa.Table(
    "rooms",
    metadata,
    uuid_column(),
    sa.Column("code", sa.String(8), nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("focus", sa.Text),  # what the trainer shows: "question:<id>" or "node:<scenario>/<node>"
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("closed_at", UTCDateTime),
)

room_members = sa.Table(
    "room_members",
    metadata,
    sa.Column("room_id", sa.String(36), sa.ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("joined_at", UTCDateTime, nullable=False),
    sa.Index("ix_room_members_learner", "learner_id"),
)

# Kiosk sessions (migration 4; used by widgets.records.kiosk): the kiosk's URLs carry a
# short-lived token instead of the learner ID. Only the token's SHA-256 is stored; a row lives
# until ``expires_at`` (moved forward while the learner is active) or until signed out.
kiosk_sessions = sa.Table(
    "kiosk_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    learner_fk(),
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False, index=True),
)

# Migration 6 (identity): PINs and their lockout, the aliases of the learner IDs before the
# keyed IDs (public uuid5, kept so old exports and certificates still find their learner),
# and the append-only audit trail (sign-ins, PIN resets, lockouts, finals, certificates).
credentials = sa.Table(
    "credentials",
    metadata,
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("pin_hash", sa.String(128)),  # hex scrypt output; NULL: to be set at next sign-in
    sa.Column("pin_salt", sa.String(64)),
    sa.Column("pin_params", sa.String(40)),  # "scrypt:n:r:p"
    sa.Column("pin_set_at", UTCDateTime),
    sa.Column("failed_tries", sa.Integer, nullable=False),
    sa.Column("lockouts", sa.Integer, nullable=False),
    sa.Column("locked_until", UTCDateTime),
)

learner_aliases = sa.Table(
    "learner_aliases",
    metadata,
    sa.Column("alias_id", sa.String(36), primary_key=True),
    learner_fk(),
    sa.Column("created_at", UTCDateTime, nullable=False),
)

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", UTCDateTime, nullable=False),
    sa.Column("event", sa.String(40), nullable=False),
    sa.Column("learner_id", sa.String(36)),  # no foreign key: the trail outlives a deleted learner
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("ix_audit_events_at", "at"),
    sa.Index("ix_audit_events_learner", "learner_id", "at"),
    sa.Index("ix_audit_events_event", "event", "at"),
)

# Migration 7 (certificates anyone can check, see widgets.records.signing): the Ed25519 public
# keys this installation trusts (its own, pinned, or recorded at first import) and each
# certificate's signature. A key is never replaced; ``revoked_at`` withdraws it.
signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("key_id", sa.String(16), primary_key=True),  # SHA-256 of the raw key, 16 hex digits
    sa.Column("public_key", sa.String(64), nullable=False),  # base64 of the raw 32 bytes
    sa.Column("origin", sa.String(16), nullable=False),  # own | pinned | import
    sa.Column("label", sa.Text, nullable=False),  # what the trainer knows it by (kiosk, file)
    sa.Column("added_at", UTCDateTime, nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("seal", sa.String(64), nullable=False),  # HMAC under the certificate secret
)

certificate_signatures = sa.Table(
    "certificate_signatures",
    metadata,
    sa.Column(
        "certificate_id",
        sa.String(36),
        sa.ForeignKey("certificates.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("key_id", sa.String(16), sa.ForeignKey("signing_keys.key_id"), nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),  # base64 of the 64-byte signature
    sa.Index("ix_certificate_signatures_key", "key_id"),
)

# Migration 8 (the trainer's retention report, issue 20; see widgets.records.timelines): each
# learner's mastery timelines, derived from their answers and choices and refreshed with every
# write of them. Not in LEARNER_TABLES: recomputable, so neither exported (the evidence is) nor
# deleted one by one (it goes with the learner, ON DELETE CASCADE).
retention_timelines = sa.Table(
    "retention_timelines",
    metadata,
    sa.Column(
        "learner_id",
        sa.String(36),
        sa.ForeignKey("learners.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("fingerprint", sa.String(16), nullable=False),  # the course and rules computed under
    sa.Column("clauses", sa.LargeBinary, nullable=False),  # int64 LE: (clause, first, mastered, lapsed)
    sa.Column("spans", sa.LargeBinary, nullable=False),  # int64 LE: (clause, state, start, end)
)

LEARNER_TABLES = (
    credentials,
    learner_aliases,
    kiosk_sessions,
    answers,
    scenario_choices,
    completions,
    pledges,
    certificates,
    room_members,
    attempts,
)
"""Every table holding a learner's rows (by ``learner_id``), children before parents: what
export and deletion of one learner cover. A new table with learner rows belongs here."""
