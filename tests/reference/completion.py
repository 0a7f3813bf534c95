"""Completion per learner over every loaded attempt (the reference for
:func:`widgets.records.statistics.completion.learner_completion`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from reference.cohort import Cohort, group_by_learner
from widgets.records import policy
from widgets.records.models import AttemptSummary
from widgets.records.progress import Requirement, is_complete
from widgets.records.statistics.completion import LearnerCompletion


def learner_completion(cohort: Cohort, requirements: Sequence[Requirement]) -> list[LearnerCompletion]:
    """One row per learner of the cohort, in the cohort's order (unit, then name)."""
    by_learner = group_by_learner(cohort.attempts)
    rows = []
    for learner in cohort.learners:
        attempts = by_learner.get(learner.id, [])
        recorded = cohort.completions.get(learner.id, frozenset())
        done = tuple(
            req.module_id for req in requirements if req.module_id in recorded or is_complete(req, attempts)
        )
        best = policy.counted_attempt(_finals(attempts))
        rows.append(
            LearnerCompletion(
                learner=learner,
                done=done,
                total=len(requirements),
                final_percent=best.percent if best else None,
                final_passed=bool(best and best.passed),
                certified=learner.id in cohort.certified,
            )
        )
    return rows


def _finals(attempts: Iterable[AttemptSummary]) -> list[AttemptSummary]:
    return [a for a in attempts if a.kind == "quiz" and a.activity_id == policy.FINAL_ID]
