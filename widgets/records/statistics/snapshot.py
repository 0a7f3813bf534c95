"""The statistics of one store (``store.statistics``): every figure of the dashboard read in one
transaction, so that its sections agree (one snapshot on PostgreSQL, see :func:`widgets.records.db.read`)."""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection, Engine

from widgets.content.model import Question, Scenario
from widgets.records import db
from widgets.records.progress import Requirement
from widgets.records.statistics import completion, items, scenarios, scores
from widgets.records.statistics.completion import LearnerCompletion
from widgets.records.statistics.filters import Filters, distinct_values
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

    def filter_values(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The đơn vị and the chức vụ/nhóm present among learners (for the filter lists)."""
        return distinct_values(self._engine)
