"""What every page needs once per kernel: the course, the records store and the request."""

from __future__ import annotations

import logging

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.records.errors import RecordsError
from widgets.records.store import Store, open_store
from widgets.session import LearnerSession
from widgets.site.kiosk import is_kiosk, session_ttl
from widgets.site.lab import in_voila, remembered_learner
from widgets.views.request import query_params

log = logging.getLogger(__name__)

LEARNER_PARAM = "learner"
KIOSK_PARAM = "kiosk"
"""On a kiosk the links carry ``?kiosk=<token>`` (see :mod:`widgets.records.kiosk`), and
``?learner=`` is ignored: a URL left in the browser's history names nobody once signed out."""


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
    """The course, the store and the signed-in learner's session named by ``?learner=``
    (on a kiosk: by a live ``?kiosk=`` token, whose expiry this page view slides; in
    JupyterLab: the learner who signed in on the home notebook there)."""
    course = course or load_course()
    store = records_store()
    if store is None:
        return course, None, None
    params = query_params()
    if is_kiosk():
        try:
            session = LearnerSession.resume_kiosk(course, store, params.get(KIOSK_PARAM), session_ttl())
        except RecordsError as error:
            log.error("kiosk session not resumed: %s", error)
            session = None
    else:
        learner_id = params.get(LEARNER_PARAM)
        if not learner_id and not in_voila():  # a notebook in JupyterLab: who signed in there
            learner_id = remembered_learner(store.data)
        session = LearnerSession.resume(course, store, learner_id)
    return course, store, session


def ended_kiosk_session(session: LearnerSession | None) -> bool:
    """A kiosk page opened with a token that no longer works (signed out, expired, unknown)."""
    return session is None and is_kiosk() and bool(query_params().get(KIOSK_PARAM))
