"""Finding learners without signing them in: a trainer's search, an exact staff code or name +
unit, and the learner an ID from before migration 6 now belongs to. Called by
:class:`widgets.records.store.Store`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from widgets.i18n import t
from widgets.records import db, identity, queries, rows
from widgets.records.errors import SignInError
from widgets.records.models import Learner
from widgets.records.schema import learner_aliases, learners


def search(engine: Engine, text: object, limit: int) -> list[Learner]:
    """Learners whose staff code is ``text``, or whose name or unit contains it (case and
    spacing ignored)."""
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
    return [rows.learner(row) for row in db.read(engine, lambda conn: conn.execute(query).all())]


def by_alias(engine: Engine, alias_id: str) -> Learner | None:
    """The learner an ID from before migration 6 now belongs to, if any."""
    query = sa.select(learner_aliases.c.learner_id).where(learner_aliases.c.alias_id == alias_id)
    found = db.read(engine, lambda conn: conn.execute(query).scalar())
    return get(engine, found) if found else None


def get(engine: Engine, learner_id: str) -> Learner | None:
    """The learner with this ID, if any."""
    row = db.read(engine, lambda conn: queries.first(conn, learners, learner_id))
    return rows.learner(row) if row else None


def find(engine: Engine, staff_code: object, name: object, unit: object) -> list[Learner]:
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
    found = db.read(engine, lambda conn: conn.execute(query).all())
    return [rows.learner(row) for row in found]
