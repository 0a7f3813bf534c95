"""Everything the dashboard shows, computed in one call (pure over one snapshot)."""

from __future__ import annotations

import dataclasses as dc

from sqlalchemy.engine import Engine

from widgets.content.model import Course, ModuleKind
from widgets.records import policy
from widgets.records.progress import requirements_for
from widgets.reports.completion import LearnerCompletion, UnitCompletion, learner_completion, unit_completion
from widgets.reports.items import FIRST, ClauseStat, ItemStat, clause_rollup, item_statistics
from widgets.reports.queries import Cohort, Filters, load_cohort
from widgets.reports.roster import Roster
from widgets.reports.scenarios import NodeStat, scenario_analysis
from widgets.reports.scores import ScoreReport, score_report


@dc.dataclass(frozen=True, slots=True)
class DashboardData:
    cohort: Cohort
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
    """The module's practice quiz when a lesson module is filtered, else the final."""
    if filters.module_id:
        module = course.module(filters.module_id)
        if module.kind is ModuleKind.LESSON and module.questions:
            return module.id
    return policy.FINAL_ID


def pass_mark_of(course: Course, quiz_id: str) -> int | None:
    for module in course.modules:
        if (quiz_id == policy.FINAL_ID and module.kind is ModuleKind.ASSESSMENT) or module.id == quiz_id:
            return module.quiz.pass_mark
    return None


def build_dashboard(
    engine: Engine,
    course: Course,
    filters: Filters | None = None,
    *,
    roster: Roster | None = None,
    quiz_id: str | None = None,
    which: str = FIRST,
) -> DashboardData:
    """Load the filtered records once and compute every section."""
    filters = filters or Filters()
    cohort = load_cohort(engine, filters)
    quiz = quiz_id or default_quiz(course, filters)
    learners = learner_completion(cohort, requirements_for(course))
    in_range = cohort.attempts_in_range
    questions = {q.id: q for q in course.questions}
    items = item_statistics(cohort.answers, in_range, quiz, questions, which=which)
    scenarios = course.scenarios
    if filters.module_id:
        scenarios = course.module(filters.module_id).scenarios
    return DashboardData(
        cohort=cohort,
        quiz_id=quiz,
        pass_mark=pass_mark_of(course, quiz),
        learners=tuple(learners),
        units=tuple(unit_completion(learners, roster, course.units)),
        scores=score_report(in_range, quiz),
        items=tuple(items),
        clauses=tuple(clause_rollup(items, course.directive.clauses)),
        nodes=tuple(scenario_analysis(cohort.choices, scenarios)),
    )
