"""Typed, frozen course data: what the content parser produces and everything else reads."""

from __future__ import annotations

import dataclasses as dc
from enum import StrEnum
from types import MappingProxyType


@dc.dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a piece of content was written."""

    path: str
    """Path of the Markdown/YAML file, as given to the loader."""
    line: int
    """1-based line number of the block's first line."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dc.dataclass(frozen=True, slots=True)
class Clause:
    """One citable clause of the directive."""

    id: str
    """Stable clause ID, e.g. ``officials.1``."""
    label: str
    """Short Vietnamese label shown beside the ID."""
    text: str
    """The clause's exact wording from the source."""
    source: SourceRef
    short: str = ""
    """How a citation names the clause to learners, e.g. "Yêu cầu (1) đối với cán bộ, công chức,
    viên chức" (``short:`` in directive.md; empty → ``label``)."""

    @property
    def name(self) -> str:
        """The human name of the clause in learner-facing text (never its ID)."""
        return self.short or self.label


@dc.dataclass(frozen=True, slots=True)
class Directive:
    """The document the course teaches, split into clauses."""

    id: str
    number: str
    """E.g. ``Công văn số 1273/UBND-NV``."""
    issuer: str
    title: str
    """Subject line of the document."""
    reported: str
    """How the source dates the document (the article's date; no invented signing date)."""
    clauses: tuple[Clause, ...]
    source: SourceRef

    def clause(self, clause_id: str) -> Clause:
        """Return the clause with this ID (``KeyError`` if unknown)."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(clause.id for clause in self.clauses)


class Level(StrEnum):
    """What a question tests: remembering the text, or applying it to a workplace situation."""

    RECALL = "recall"
    APPLICATION = "application"


class QuestionType(StrEnum):
    """Every question type the engine scores."""

    SINGLE = "single"
    MULTIPLE = "multiple"
    TRUE_FALSE = "true-false"
    MATCHING = "matching"
    ORDERING = "ordering"
    SHORT = "short"


@dc.dataclass(frozen=True, slots=True)
class Choice:
    """One option of a choice question, or one accepted/anticipated short answer."""

    id: str
    """Stable ID within the question (``a``, ``b``, … by position)."""
    text: str
    """Inline Markdown shown to the learner."""
    correct: bool
    feedback: str
    """Markdown shown when the learner picks this option."""
    weight: float | None = None
    """Partial-credit weight in percent (multiple choice with ``partial: true``)."""


@dc.dataclass(frozen=True, slots=True)
class MatchPair:
    """One item of a matching question and the category it belongs to."""

    id: str
    item: str
    category: str
    feedback: str


@dc.dataclass(frozen=True, slots=True)
class Question:
    """A question of any type; which fields matter depends on ``type``."""

    id: str
    type: QuestionType
    stem: str
    """Markdown of the question text."""
    cites: tuple[str, ...]
    """Clause IDs the answer key rests on."""
    explanation: str
    """Markdown shown once the question is settled (right, or out of tries)."""
    source: SourceRef
    choices: tuple[Choice, ...] = ()
    """Options (single, multiple, true-false) or anticipated answers (short)."""
    pairs: tuple[MatchPair, ...] = ()
    """Matching only."""
    order: tuple[Choice, ...] = ()
    """Ordering only: the items in their correct order."""
    hint: str = ""
    partial: bool = False
    """Multiple choice: partial credit by weights instead of all-or-nothing."""
    tone_insensitive: bool = False
    """Short answer: also accept the answer typed without Vietnamese tone marks."""
    points: int = 1
    level: Level | None = None
    """``recall`` or ``application`` (``neuguong check`` requires it on every question)."""
    interpretive: bool = False
    """Rests on an interpretation, not the Công văn's wording: practice only, never in the final."""
    partial_credit: bool = False
    """Multiple choice scored by Moodle's "partially correct" rule (set on the copies a quiz with
    ``partial_credit: true`` draws)."""
    decision_set: str = ""
    """A decision of a scenario asked as a question in the final: the scenario's ID."""

    @property
    def categories(self) -> tuple[str, ...]:
        """Matching: the distinct categories in first-seen order."""
        return tuple(dict.fromkeys(pair.category for pair in self.pairs))


class Rating(StrEnum):
    """How an action in a scenario measures up against the directive."""

    BEST = "best"
    ACCEPTABLE = "acceptable"
    VIOLATION = "violation"


DECISION_SEPARATOR = "__"
"""Joins a scenario's ID and a node's ID into the ID of a decision item (content IDs never hold
"_", and the result stays a valid CSS class name)."""

RATING_POINTS = MappingProxyType({Rating.BEST: 2, Rating.ACCEPTABLE: 1, Rating.VIOLATION: 0})
"""Points a rating earns on a scenario path; the best action earns the maximum."""


@dc.dataclass(frozen=True, slots=True)
class Interpretation:
    """A "Giải thích thêm" box: the course's explanation, not the Công văn's wording."""

    body: str
    """Markdown source."""
    cites: tuple[str, ...]
    source: SourceRef


@dc.dataclass(frozen=True, slots=True)
class Action:
    """One action a learner may take at a decision node."""

    id: str
    text: str
    rating: Rating
    consequence: str
    """What happens next in the story (Markdown)."""
    rationale: str
    """Why the action is rated so, by the directive (Markdown)."""
    cites: tuple[str, ...]
    next: str
    """ID of the node the action leads to."""
    source: SourceRef


@dc.dataclass(frozen=True, slots=True)
class Node:
    """A situation in a scenario: a decision (with actions) or an end (without)."""

    id: str
    text: str
    cites: tuple[str, ...]
    actions: tuple[Action, ...]
    source: SourceRef
    image: str | None = None
    """Absolute path of the node's picture (checked to exist when the content was read)."""
    image_alt: str = ""
    """What the picture shows, for those who cannot see it (required with ``image``)."""
    interpretations: tuple[Interpretation, ...] = ()
    """"Giải thích thêm" boxes written in the node, shown after its text."""

    @property
    def is_end(self) -> bool:
        return not self.actions


@dc.dataclass(frozen=True, slots=True)
class Scenario:
    """A branching case: a graph of nodes from ``start`` to one of its end nodes."""

    id: str
    title: str
    setting: str
    """Where the case takes place (a sở, a UBND huyện/xã, …)."""
    start: str
    nodes: tuple[Node, ...]
    source: SourceRef

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    @property
    def cites(self) -> tuple[str, ...]:
        """Every clause ID cited by a node or an action, in first-seen order."""
        ids: dict[str, None] = {}
        for node in self.nodes:
            ids.update(dict.fromkeys(node.cites))
            for action in node.actions:
                ids.update(dict.fromkeys(action.cites))
        return tuple(ids)


@dc.dataclass(frozen=True, slots=True)
class LessonPart:
    """A run of lesson text, or one interpretation box, in the order written."""

    body: str
    interpretation: Interpretation | None = None
    """Set (and ``body`` empty) when the part is a "Giải thích thêm" box."""


@dc.dataclass(frozen=True, slots=True)
class LessonSection:
    """A block of lesson text and the clauses it teaches."""

    title: str
    body: str
    """Markdown source of the lesson's own text, without its interpretation boxes."""
    cites: tuple[str, ...]
    source: SourceRef
    parts: tuple[LessonPart, ...] = ()
    """Text and interpretation boxes in their written order (empty: ``body`` alone)."""

    @property
    def interpretations(self) -> tuple[Interpretation, ...]:
        return tuple(part.interpretation for part in self.parts if part.interpretation)


@dc.dataclass(frozen=True, slots=True)
class InstructorNote:
    """Facilitator-only text (timing, discussion, misconceptions); never shown to learners."""

    body: str
    source: SourceRef


class ModuleKind(StrEnum):
    LESSON = "lesson"
    GUIDE = "guide"
    """How to use the site: its lesson sections need not cite clauses (its practice does)."""
    ASSESSMENT = "assessment"
    """Draws its questions from the whole course bank."""


@dc.dataclass(frozen=True, slots=True)
class QuizPolicy:
    """How a module's quiz is drawn, tried and passed."""

    pass_mark: int = 80
    """Percentage needed to pass."""
    tries: int | None = 2
    """Tries per question before the solution is shown; ``None`` = unlimited."""
    draw: int | None = None
    """Draw this many questions from the pool; ``None`` = all of them."""
    by_clause: bool = False
    """When drawing, make every clause of the pool represented if the count allows."""
    shuffle: bool = True
    """Shuffle questions and choices, seeded per learner and attempt."""
    partial_credit: bool = False
    """Multiple-answer items earn Moodle's "partially correct" credit: each right choice picked
    +1/n_right, each wrong one −1/n_wrong, clamped to [0, 1]."""
    scenarios: int = 0
    """Final assessment: scenario decision sets drawn (each scored, decision by decision)."""
    min_application: int = 0
    """Final assessment: at least this percentage of the drawn items are ``application``."""
    pool: tuple[Question, ...] = ()
    """Final assessment: the items it draws from, built by the course loader (no guide-module or
    interpretive question; the decision sets of the scenarios); empty = the pool given."""


@dc.dataclass(frozen=True, slots=True)
class Module:
    """One module: lesson sections, a practice quiz and scenario cases."""

    id: str
    title: str
    kind: ModuleKind
    clauses: tuple[str, ...]
    teaching_minutes: int
    exercise_minutes: int
    sections: tuple[LessonSection, ...]
    questions: tuple[Question, ...]
    scenarios: tuple[Scenario, ...]
    instructor: tuple[InstructorNote, ...]
    quiz: QuizPolicy
    notebook: str
    """Notebook file name (in the learner site root) that shows this module."""
    source: SourceRef
    summary: str = ""


@dc.dataclass(frozen=True, slots=True)
class Term:
    """A glossary entry (Thuật ngữ): general explanation, not the directive's wording."""

    name: str
    definition: str
    cites: tuple[str, ...]
    source: SourceRef


@dc.dataclass(frozen=True, slots=True)
class FaqEntry:
    """A question officials ask (Hỏi đáp), answered briefly from the cited clauses."""

    question: str
    answer: str
    cites: tuple[str, ...]
    source: SourceRef


@dc.dataclass(frozen=True, slots=True)
class Unit:
    """An entry of ``units.yml``: a current unit offered at sign-in, or a retired one kept for records."""

    name: str
    source: SourceRef
    successor: str = ""
    """Retired units: the current unit that took it over, when that is certain."""
    retired: bool = False
    typed: bool = False
    """Offered as a choice that opens a text field: the learner types the name (stored as typed)."""


@dc.dataclass(frozen=True, slots=True)
class Course:
    """The whole course: the directive and the modules in their order."""

    id: str
    title: str
    directive: Directive
    modules: tuple[Module, ...]
    source: SourceRef
    glossary: tuple[Term, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    units: tuple[str, ...] = ()
    """Đơn vị offered at sign-in: the current units (the last is usually "Khác")."""
    unit_entries: tuple[Unit, ...] = ()
    """Every entry of ``units.yml``, current and retired."""
    units_as_of: str = ""
    """The date ``units.yml`` says its list is true on."""

    @property
    def typed_units(self) -> tuple[str, ...]:
        """Choices at sign-in that open a text field for the unit's own name."""
        return tuple(u.name for u in self.unit_entries if u.typed and not u.retired)

    @property
    def successors(self) -> dict[str, str]:
        """Retired unit name → the current unit reports count it under (only where certain)."""
        return {u.name: u.successor for u in self.unit_entries if u.retired and u.successor}

    def module(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    @property
    def questions(self) -> tuple[Question, ...]:
        """The whole question bank, in module order."""
        return tuple(q for module in self.modules for q in module.questions)

    def question(self, question_id: str) -> Question:
        """A question of the bank, or a decision item of the final's pool."""
        for question in (*self.questions, *(q for m in self.modules for q in m.quiz.pool)):
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def module_of(self, item_id: str) -> Module:
        """The module that holds a question or scenario (or the scenario of a decision item)."""
        item_id = item_id.split(DECISION_SEPARATOR, 1)[0]
        for module in self.modules:
            if any(q.id == item_id for q in module.questions) or any(
                s.id == item_id for s in module.scenarios
            ):
                return module
        raise KeyError(item_id)

    @property
    def scenarios(self) -> tuple[Scenario, ...]:
        return tuple(s for module in self.modules for s in module.scenarios)


def as_dict(obj: object) -> object:
    """Plain JSON-able form of any model object (for snapshots and exports)."""
    if dc.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: as_dict(getattr(obj, f.name)) for f in dc.fields(obj)}
    if isinstance(obj, tuple | list):
        return [as_dict(item) for item in obj]
    if isinstance(obj, StrEnum):
        return obj.value
    return obj
