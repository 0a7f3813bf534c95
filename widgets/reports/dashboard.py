"""Everything the dashboard shows, computed in one call over one snapshot of the records: the
statistics of :mod:`widgets.records.statistics` (``store.statistics``), rolled up per unit and per
clause."""

from __future__ import annotations

import dataclasses as dc

from widgets.content.model import Course, ModuleKind
from widgets.records import policy
from widgets.records.progress import requirements_for
from widgets.records.statistics.completion import LearnerCompletion
from widgets.records.statistics.filters import Filters
from widgets.records.statistics.items import FIRST, ClauseStat, ItemStat, clause_rollup
from widgets.records.statistics.scenarios import NodeStat
from widgets.records.statistics.scores import ScoreReport
from widgets.records.statistics.snapshot import Statistics
from widgets.reports.roster import Roster
from widgets.reports.units import UnitCompletion, unit_completion


@dc.dataclass(frozen=True, slots=True)
class DashboardData:
    filters: Filters
    quiz_id: str
    """The quiz of the score and item sections (``final``, or the filtered module's)."""
    pass_mark: int | None
    learners: tuple[LearnerCompletion, ...]
    units: tuple[UnitCompletion, ...]
    scores: ScoreReport
    items: tuple[ItemStat, ...]
    clauses: tuple[ClauseStat, ...]
    nodes: tuple[NodeStat, ...]


def default_quiz(course: Course, filters: Filters) -> str:
    """The module's practice quiz when a module other than the final is filtered, else the final."""
    if filters.module_id:
        module = course.module(filters.module_id)
        if module.kind is not ModuleKind.ASSESSMENT and module.questions:
            return module.id
    return policy.FINAL_ID


def pass_mark_of(course: Course, quiz_id: str) -> int | None:
    for module in course.modules:
        if (quiz_id == policy.FINAL_ID and module.kind is ModuleKind.ASSESSMENT) or module.id == quiz_id:
            return module.quiz.pass_mark
    return None


def build_dashboard(
    statistics: Statistics,
    course: Course,
    filters: Filters | None = None,
    *,
    roster: Roster | None = None,
    quiz_id: str | None = None,
    which: str = FIRST,
) -> DashboardData:
    """Every section, aggregated in the database in one read transaction (one snapshot) of
    ``statistics`` (``store.statistics``)."""
    filters = filters or Filters()
    quiz = quiz_id or default_quiz(course, filters)
    questions = {q.id: q for q in (*course.questions, *(q for m in course.modules for q in m.quiz.pool))}
    shown = course.module(filters.module_id).scenarios if filters.module_id else course.scenarios
    found = statistics.snapshot(filters, requirements_for(course), quiz, questions, shown, which=which)
    return DashboardData(
        filters=filters,
        quiz_id=quiz,
        pass_mark=pass_mark_of(course, quiz),
        learners=found.learners,
        units=tuple(unit_completion(found.learners, roster, course.units, course.successors)),
        scores=found.scores,
        items=found.items,
        clauses=tuple(clause_rollup(found.items, course.directive.clauses)),
        nodes=found.nodes,
    )
