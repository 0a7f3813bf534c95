"""What every page needs once per kernel: the course, the records store and the request."""

from __future__ import annotations

import logging

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.i18n import t
from widgets.records import hub
from widgets.records.errors import RecordsError, SessionRefusedError
from widgets.records.store import Store, open_store
from widgets.runtime.hub import hub_user
from widgets.runtime.kiosk import session_ttl
from widgets.runtime.lab import forget_token, in_voila, remembered_token
from widgets.runtime.request import query_params
from widgets.session import LearnerSession

log = logging.getLogger(__name__)

SESSION_PARAM = "session"
"""Every mode's links carry ``?session=<token>`` (see :mod:`widgets.records.kiosk`): a URL left
in the browser's history names nobody, and stops working once signed out or expired."""
KIOSK_PARAM = SESSION_PARAM
LEARNER_PARAM = "learner"
"""Refused everywhere: a learner ID in an address would let anyone who knows it act as them."""


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
    """The course, the store and the signed-in learner's session named by a live
    ``?session=`` token, whose expiry this page view slides (in JupyterLab: the session opened
    on the home notebook there). An address with ``?learner=`` names nobody (see
    :func:`refusal`). Under JupyterHub the learner is the Hub user whose server this is
    (:func:`hub_page_session`), whatever the address carries."""
    course = course or load_course()
    store = records_store()
    if store is None:
        return course, None, None
    params = query_params()
    if LEARNER_PARAM in params:
        return course, store, None
    if (user := hub_user()) is not None:
        return course, store, hub_page_session(course, store, user)
    token = params.get(SESSION_PARAM)
    lab = not token and not in_voila()
    if lab:  # a notebook in JupyterLab: the session signed in there
        token = remembered_token(store.data)
    if not token:
        return course, store, None
    try:
        session = LearnerSession.resume(course, store, token, session_ttl())
    except SessionRefusedError:
        if lab:
            forget_token(store.data)
        return course, store, None
    except RecordsError as error:
        log.error("session not resumed: %s", error)
        return course, store, None
    return course, store, session


def hub_page_session(course: Course, store: Store, user: str) -> LearnerSession | None:
    """The Hub user's session (no token: the Hub authenticates every request to this server,
    and links carry nothing), or ``None`` until they have filled the profile on the home page.
    A ``?session=`` token is not read: it could name another learner."""
    try:
        learner = hub.hub_learner(store, user)
        if learner is not None:
            hub.note_sign_in(store, learner.id, within=session_ttl())
    except RecordsError as error:
        log.error("hub learner not read: %s", error)
        return None
    return LearnerSession(course, store, learner) if learner is not None else None


def refusal(session: LearnerSession | None) -> str | None:
    """Why a page shows nobody's records although its address named someone (Vietnamese):
    ``?learner=``, or a session token that has ended, expired or never existed."""
    if session is not None:
        return None
    params = query_params()
    if LEARNER_PARAM in params:
        return t("session.learner_refused")
    if params.get(SESSION_PARAM) and hub_user() is None:  # under the Hub, a token is not read
        return t("session.ended")
    return None


def ended_kiosk_session(session: LearnerSession | None) -> bool:
    """A page opened with a token that no longer works (signed out, expired, unknown)."""
    return session is None and bool(query_params().get(SESSION_PARAM))
