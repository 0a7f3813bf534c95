"""Records as xAPI-shaped statements: the vocabulary and the statement builder (``records export``
writes them with :mod:`~widgets.records.interchange.export`, one JSON object per line).

Every statement names its learner by a stable pseudonymous account — ``{"homePage": <home
page>, "name": <learner UUID>}``. The learner UUID is keyed: an HMAC of the staff code or name
+ unit under the installation's identity secret (:mod:`widgets.records.identity`), so it is the
same on every kiosk that shares the secret (``neuguong kiosk-setup``) and nobody without the
secret can tell whose it is from a name — and carries the learner's đơn vị and chức vụ/nhóm
in a context extension, because the trainer's reports need them. The name (and staff code)
travel only when asked for (``with_names``).

Statements and their IDs (the records' own UUIDs, so that merging is idempotent):

==========================  =====================  =====================================
record                      verb                   statement ID
==========================  =====================  =====================================
attempt started             attempted              the attempt's UUID
answer to a question        answered               the answer's UUID
choice in a scenario        answered (the node)    the choice's UUID
quiz finished               passed / failed        UUIDv5 of ``finish:<attempt UUID>``
scenario finished           completed              UUIDv5 of ``finish:<attempt UUID>``
review finished             completed (review)     UUIDv5 of ``finish:<attempt UUID>``
certificate issued          completed (course)     the certificate's UUID
pledge made                 completed (pledge)     the pledge's UUID
==========================  =====================  =====================================

The pledge travels with its text (``result.response``, the course's wording, no name in it)
so that a learner who pledged on an offline kiosk keeps the pledge in the trainer's store.
A certificate travels with its Ed25519 signature and the issuing installation's public key
(never the private key), so that the installation importing it can verify it
(:mod:`widgets.records.signing` says how it comes to trust a kiosk's key).

A spaced review (attempt kind ``review``, issue 20) is its own activity, ``<home>/activities/review/
review``, of its own type (``<home>/xapi/activity-types/review``, not an assessment): its answers
and its scenario decision name it as their parent, so a review never counts as a module's or the
final's attempt wherever the statements are read.

Every answer and choice also carries its attempt (``context.registration`` and an extension
with its kind, activity, module and start), so any subset of the lines can be imported.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime
from typing import Protocol
from urllib.parse import quote, unquote, urlsplit

from widgets.jsonvalue import JsonObject
from widgets.records import policy

XAPI_VERSION = "1.0.3"
HOME_PAGE_ENV = "NEUGUONG_XAPI_HOME_PAGE"
DEFAULT_HOME_PAGE = "http://neuguong.invalid"
"""``.invalid`` is reserved (RFC 2606): set the installation's own address for real use."""
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {name: ADL + name for name in ("attempted", "answered", "completed", "passed", "failed")}
ACTIVITY_TYPES = {
    "question": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "node": "http://adlnet.gov/expapi/activities/cmi.interaction",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "scenario": "http://adlnet.gov/expapi/activities/simulation",
    "module": "http://adlnet.gov/expapi/activities/module",
    "course": "http://adlnet.gov/expapi/activities/course",
    "pledge": "http://adlnet.gov/expapi/activities/interaction",
}
FINISH_NAMESPACE = uuid.UUID("0b9f7c52-1273-5e0a-8f00-9e1e3c0a7a11")
EXTENSIONS = ("learner", "attempt", "answer", "choice", "finish", "certificate")
_IRI_RE = re.compile(
    r"/activities/(question|quiz|scenario|review|module|course|pledge)/([^/]+)(?:/node/([^/]+))?$"
)


class LearnerRecord(Protocol):
    """A learner as the statements name them (a ``learners`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def full_name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def staff_code(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


class AttemptRecord(Protocol):
    """An attempt (an ``attempts`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def activity_id(self) -> str: ...
    @property
    def module_id(self) -> str: ...
    @property
    def started_at(self) -> datetime: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def score(self) -> float | None: ...
    @property
    def max_score(self) -> float | None: ...
    @property
    def passed(self) -> bool | None: ...
    @property
    def pass_mark(self) -> int | None: ...
    @property
    def end_node_id(self) -> str | None: ...


class AnswerRecord(Protocol):
    """An answer (an ``answers`` row: ``response`` is its stored JSON text)."""

    @property
    def id(self) -> str: ...
    @property
    def module_id(self) -> str: ...
    @property
    def question_id(self) -> str: ...
    @property
    def try_no(self) -> int: ...
    @property
    def response(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def max_score(self) -> float: ...
    @property
    def correct(self) -> bool: ...
    @property
    def answered_at(self) -> datetime: ...


class ChoiceRecord(Protocol):
    """A scenario choice (a ``scenario_choices`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def module_id(self) -> str: ...
    @property
    def scenario_id(self) -> str: ...
    @property
    def step_no(self) -> int: ...
    @property
    def node_id(self) -> str: ...
    @property
    def action_id(self) -> str: ...
    @property
    def rating(self) -> str: ...
    @property
    def next_node_id(self) -> str: ...
    @property
    def chosen_at(self) -> datetime: ...


class CertificateRecord(Protocol):
    """A certificate (a ``certificates`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def score_percent(self) -> float: ...
    @property
    def attempt_id(self) -> str: ...
    @property
    def issued_at(self) -> datetime: ...


class SignatureRecord(Protocol):
    """A certificate's signature with its key (``certificate_signatures`` joined to ``signing_keys``)."""

    @property
    def key_id(self) -> str: ...
    @property
    def public_key(self) -> str: ...
    @property
    def signature(self) -> str: ...


class PledgeRecord(Protocol):
    """A pledge (a ``pledges`` row)."""

    @property
    def id(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def pledged_at(self) -> datetime: ...


def attempt_kind(attempt: AttemptRecord) -> str:
    """The activity kind of an attempt's statements: ``quiz``, ``scenario`` or ``review``."""
    return attempt.kind if attempt.kind in ("quiz", "review") else "scenario"


def home_page(value: str | None = None) -> str:
    """The configured home page (argument, ``$NEUGUONG_XAPI_HOME_PAGE`` or the default)."""
    text = (value or os.environ.get(HOME_PAGE_ENV) or DEFAULT_HOME_PAGE).strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"home page must be an http(s) address without query: {text!r}")
    return text


def activity_iri(home: str, kind: str, activity_id: str, node_id: str | None = None) -> str:
    """``<home>/activities/<kind>/<id>[/node/<node id>]`` with the IDs percent-encoded."""
    iri = f"{home}/activities/{kind}/{quote(activity_id, safe='')}"
    return f"{iri}/node/{quote(node_id, safe='')}" if node_id is not None else iri


def parse_activity_iri(iri: str) -> tuple[str, str, str | None]:
    """``(kind, id, node id)`` of an activity IRI, whatever its home page."""
    match = _IRI_RE.search(urlsplit(iri).path)
    if not match:
        raise ValueError(f"not an activity IRI of this kit: {iri!r}")
    kind, activity_id, node_id = match.groups()
    return kind, unquote(activity_id), unquote(node_id) if node_id else None


def extension_iri(home: str, name: str) -> str:
    return f"{home}/xapi/extensions/{name}"


def finish_id(attempt_id: str) -> str:
    """The statement ID of an attempt's passed/failed/completed statement."""
    return str(uuid.uuid5(FINISH_NAMESPACE, f"finish:{attempt_id}"))


def timestamp(moment: datetime) -> str:
    """ISO 8601 with the course's offset (+07:00), to the microsecond."""
    return moment.astimezone(policy.COURSE_TZ).isoformat(timespec="microseconds")


class StatementBuilder:
    """Builds statements for one export (home page, names or not)."""

    def __init__(self, home: str, *, with_names: bool = False, course_id: str = "course") -> None:
        self.home = home_page(home)
        self.with_names = with_names
        self.course_id = course_id

    def ext(self, name: str) -> str:
        return extension_iri(self.home, name)

    def actor(self, learner: LearnerRecord) -> JsonObject:
        actor: JsonObject = {
            "objectType": "Agent",
            "account": {"homePage": self.home, "name": learner.id},
        }
        if self.with_names:
            actor["name"] = learner.full_name
        return actor

    def learner_ext(self, learner: LearnerRecord) -> JsonObject:
        data: JsonObject = {
            "unit": learner.unit,
            "role": learner.role,
            "created": timestamp(learner.created_at),
        }
        if self.with_names and learner.staff_code:
            data["staff_code"] = learner.staff_code
        return data

    def _activity(self, kind: str, activity_id: str, node_id: str | None = None) -> JsonObject:
        if kind == "review" and node_id is None:
            kind_type = f"{self.home}/xapi/activity-types/review"
        else:
            kind_type = ACTIVITY_TYPES["node" if node_id else kind]
        return {
            "objectType": "Activity",
            "id": activity_iri(self.home, kind, activity_id, node_id),
            "definition": {"type": kind_type},
        }

    def _context(self, learner: LearnerRecord, attempt: AttemptRecord) -> JsonObject:
        kind = attempt_kind(attempt)
        return {
            "registration": attempt.id,
            "contextActivities": {
                "parent": [{"id": activity_iri(self.home, kind, attempt.activity_id)}],
                "grouping": [{"id": activity_iri(self.home, "module", attempt.module_id)}],
            },
            "extensions": {
                self.ext("learner"): self.learner_ext(learner),
                self.ext("attempt"): {
                    "id": attempt.id,
                    "kind": attempt.kind,
                    "activity": attempt.activity_id,
                    "module": attempt.module_id,
                    "started": timestamp(attempt.started_at),
                },
            },
        }

    def _statement(
        self, sid: str, learner: LearnerRecord, verb: str, obj: JsonObject, at: datetime
    ) -> JsonObject:
        return {
            "id": sid,
            "version": XAPI_VERSION,
            "actor": self.actor(learner),
            "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
            "object": obj,
            "timestamp": timestamp(at),
        }

    def attempted(self, learner: LearnerRecord, attempt: AttemptRecord) -> JsonObject:
        kind = attempt_kind(attempt)
        out = self._statement(
            attempt.id, learner, "attempted", self._activity(kind, attempt.activity_id), attempt.started_at
        )
        out["context"] = self._context(learner, attempt)
        return out

    def answered(
        self, learner: LearnerRecord, attempt: AttemptRecord, answer: AnswerRecord, cites: list[str]
    ) -> JsonObject:
        out = self._statement(
            answer.id, learner, "answered", self._activity("question", answer.question_id), answer.answered_at
        )
        out["result"] = {
            "score": _score(answer.score, answer.max_score),
            "success": bool(answer.correct),
            "completion": True,
            "response": answer.response,
            "extensions": {
                self.ext("answer"): {"try": answer.try_no, "module": answer.module_id, "cites": [*cites]}
            },
        }
        out["context"] = self._context(learner, attempt)
        return out

    def chose(self, learner: LearnerRecord, attempt: AttemptRecord, choice: ChoiceRecord) -> JsonObject:
        obj = self._activity("scenario", choice.scenario_id, choice.node_id)
        out = self._statement(choice.id, learner, "answered", obj, choice.chosen_at)
        out["result"] = {
            "response": choice.action_id,
            "extensions": {
                self.ext("choice"): {
                    "step": choice.step_no,
                    "rating": choice.rating,
                    "next": choice.next_node_id,
                    "module": choice.module_id,
                }
            },
        }
        out["context"] = self._context(learner, attempt)
        return out

    def finished(self, learner: LearnerRecord, attempt: AttemptRecord) -> JsonObject:
        assert attempt.finished_at is not None  # only finished attempts are exported as such
        if attempt.kind == "quiz":
            verb = "passed" if attempt.passed else "failed"
            obj = self._activity("quiz", attempt.activity_id)
        else:
            verb, obj = "completed", self._activity(attempt_kind(attempt), attempt.activity_id)
        out = self._statement(finish_id(attempt.id), learner, verb, obj, attempt.finished_at)
        result: JsonObject = {"completion": True}
        if attempt.score is not None and attempt.max_score is not None:
            result["score"] = _score(attempt.score, attempt.max_score)
        if attempt.kind == "quiz":
            result["success"] = bool(attempt.passed)
        result["extensions"] = {
            self.ext("finish"): {"pass_mark": attempt.pass_mark, "end_node": attempt.end_node_id}
        }
        out["result"] = result
        out["context"] = self._context(learner, attempt)
        return out

    def certified(
        self, learner: LearnerRecord, cert: CertificateRecord, signed: SignatureRecord | None = None
    ) -> JsonObject:
        """``signed``: the certificate's signature row with its key (see
        :mod:`widgets.records.signing`), exported so the importing installation can check it."""
        out = self._statement(
            cert.id, learner, "completed", self._activity("course", self.course_id), cert.issued_at
        )
        out["result"] = {
            "completion": True,
            "success": True,
            "score": {"scaled": round(cert.score_percent / 100.0, 6)},
            "extensions": {
                self.ext("certificate"): {
                    "code": cert.code,
                    "score_percent": cert.score_percent,
                    "attempt": cert.attempt_id,
                    **(
                        {
                            "signature": {
                                "key": signed.key_id,
                                "public_key": signed.public_key,
                                "value": signed.signature,
                            }
                        }
                        if signed is not None
                        else {}
                    ),
                }
            },
        }
        out["context"] = {"extensions": {self.ext("learner"): self.learner_ext(learner)}}
        return out

    def pledged(self, learner: LearnerRecord, pledge: PledgeRecord) -> JsonObject:
        out = self._statement(
            pledge.id, learner, "completed", self._activity("pledge", self.course_id), pledge.pledged_at
        )
        out["result"] = {"completion": True, "response": pledge.text}
        out["context"] = {"extensions": {self.ext("learner"): self.learner_ext(learner)}}
        return out


def _score(raw: float, maximum: float) -> JsonObject:
    scaled = raw / maximum if maximum else 0.0
    return {"raw": raw, "min": 0.0, "max": maximum, "scaled": round(min(1.0, max(0.0, scaled)), 6)}
