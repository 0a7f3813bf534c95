"""What every page needs once per kernel: the course, the records store and the request."""

from __future__ import annotations

import logging

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.records.errors import RecordsError
from widgets.records.store import Store, open_store
from widgets.session import LearnerSession
from widgets.views.request import query_params

log = logging.getLogger(__name__)

LEARNER_PARAM = "learner"


def records_store() -> Store | None:
    """The store (opened and migrated once per process), or ``None`` if it cannot be opened."""
    try:
        return open_store()
    except (RecordsError, OSError) as error:
        log.error("records store unavailable: %s", error)
        return None
    except Exception:  # a database driver error must not blank the page
        log.exception("records store unavailable")
        return None


def page_session(course: Course | None = None) -> tuple[Course, Store | None, LearnerSession | None]:
    """The course, the store and the signed-in learner's session named by ``?learner=``."""
    course = course or load_course()
    store = records_store()
    learner_id = query_params().get(LEARNER_PARAM)
    session = LearnerSession.resume(course, store, learner_id) if store is not None else None
    return course, store, session
