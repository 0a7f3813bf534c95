"""The statistics of one store (``store.statistics``): every figure of the dashboard read in one
transaction, so that its sections agree (one snapshot on PostgreSQL, see :func:`widgets.records.db.read`)."""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Course, Question, Scenario
from widgets.records import db, timelines
from widgets.records.progress import Requirement
from widgets.records.schema import learners
from widgets.records.statistics import completion, items, scenarios, scores
from widgets.records.statistics.completion import LearnerCompletion
from widgets.records.statistics.filters import Filters, distinct_values, learner_ids, of_chosen
from widgets.records.statistics.items import FIRST, ItemStat
from widgets.records.statistics.scenarios import NodeStat
from widgets.records.statistics.scores import ScoreReport


@dc.dataclass(frozen=True, slots=True)
class Snapshot:
    """The dashboard's statistics for one set of filters, read together."""

    learners: tuple[LearnerCompletion, ...]
    scores: ScoreReport
    items: tuple[ItemStat, ...]
    nodes: tuple[NodeStat, ...]


class Statistics:
    """The trainer's statistics over one store's records (``store.statistics``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def snapshot(
        self,
        filters: Filters,
        requirements: Sequence[Requirement],
        quiz_id: str,
        questions: Mapping[str, Question],
        shown: Sequence[Scenario],
        *,
        which: str = FIRST,
    ) -> Snapshot:
        """Completion per learner, the scores and item analysis of ``quiz_id`` and the first
        choices at the nodes of the ``shown`` scenarios, in one read transaction."""

        def read(conn: Connection) -> Snapshot:
            return Snapshot(
                learners=tuple(completion.learner_completion(conn, filters, requirements)),
                items=tuple(items.item_statistics(conn, filters, quiz_id, questions, which=which)),
                scores=scores.score_report(conn, filters, quiz_id),
                nodes=tuple(scenarios.scenario_analysis(conn, filters, shown)),
            )

        return db.read(self._engine, read)

    def retention_cohort(self, course: Course, filters: Filters) -> tuple[int, timelines.CohortTimelines]:
        """The number of learners of ``filters`` and their stored mastery timelines, read in one
        snapshot; timelines missing or computed under other content are refreshed first
        (:func:`widgets.records.timelines.refresh_stale`)."""
        chosen = learner_ids(filters)
        timelines.refresh_stale(self._engine, course, chosen)

        def read(conn: Connection) -> tuple[int, timelines.CohortTimelines]:
            count = conn.execute(
                sa.select(sa.func.count()).select_from(learners).where(*of_chosen(learners, chosen))
            )
            return int(count.scalar_one()), timelines.read_cohort(conn, course, chosen)

        return db.read(self._engine, read)

    def filter_values(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The đơn vị and the chức vụ/nhóm present among learners (for the filter lists)."""
        return distinct_values(self._engine)
