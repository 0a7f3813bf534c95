"""Retention by clause (issue 20, the trainer's side): figures of a small hand-made cohort worked
out by hand, and a random spaced cohort against the learner's own mastery map, learner by learner.
Runs on SQLite and, when configured, PostgreSQL (tests/db_backends.py)."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from reference import retention as reference
from reports_cohort import generate

from widgets.content.model import Course
from widgets.engine.mastery import MasteryState, mastery_map, outcomes
from widgets.records import db, timelines
from widgets.records.identity import LEADER
from widgets.records.schema import answers, attempts, learners, scenario_choices
from widgets.records.statistics.filters import Filters
from widgets.records.store import Store
from widgets.reports import plots
from widgets.reports.retention import moments, retention

D0 = datetime(2025, 3, 3, 1, 0, tzinfo=UTC)
"""08:00 in Hà Nội on day 0."""
X, Y = "officials.1", "oversight"
L, D, M, N = MasteryState.LEARNING, MasteryState.DUE, MasteryState.MASTERED, MasteryState.NEW


def day(n: float, minutes: int = 0) -> datetime:
    return D0 + timedelta(days=n, minutes=minutes)


class Writer:
    """Rows straight into the store's tables (one attempt per learner and day)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        self.rows: dict[str, list[dict[str, Any]]] = {
            "learners": [],
            "attempts": [],
            "answers": [],
            "choices": [],
        }

    def learner(self, name: str, unit: str) -> str:
        learner_id = str(uuid.uuid4())
        self.rows["learners"].append(
            {
                "id": learner_id,
                "full_name": name,
                "unit": unit,
                "role": "Công chức",
                "staff_code": None,
                "name_key": name.lower(),
                "unit_key": unit.lower(),
                "created_at": D0,
            }
        )
        return learner_id

    def attempt(self, learner_id: str, at: datetime, kind: str = "quiz", activity: str = "m") -> str:
        attempt_id = str(uuid.uuid4())
        self.rows["attempts"].append(
            {
                "id": attempt_id,
                "learner_id": learner_id,
                "kind": kind,
                "activity_id": activity,
                "module_id": "m",
                "started_at": at,
            }
        )
        return attempt_id

    def answer(
        self,
        learner_id: str,
        question: str,
        right: bool,
        at: datetime,
        cites: tuple[str, ...] = (X,),
        try_no: int = 1,
    ) -> None:
        self.rows["answers"].append(
            {
                "id": str(uuid.uuid4()),
                "attempt_id": self.attempt(learner_id, at),
                "learner_id": learner_id,
                "module_id": "m",
                "question_id": question,
                "try_no": try_no,
                "response": "1",
                "score": 1.0 if right else 0.0,
                "max_score": 1.0,
                "correct": right,
                "cites": json.dumps(list(cites)),
                "answered_at": at,
            }
        )

    def choice(
        self, learner_id: str, attempt_id: str, step: int, action: str, rating: str, at: datetime
    ) -> None:
        self.rows["choices"].append(
            {
                "id": str(uuid.uuid4()),
                "attempt_id": attempt_id,
                "learner_id": learner_id,
                "module_id": "m",
                "scenario_id": "sc-phan-anh-mot-cua",
                "step_no": step,
                "node_id": "nhan-phan-anh",
                "action_id": action,
                "rating": rating,
                "next_node_id": "x",
                "chosen_at": at,
            }
        )

    def save(self) -> None:
        with self.engine.begin() as conn:
            for table, key in ((learners, "learners"), (attempts, "attempts"), (answers, "answers")):
                if self.rows[key]:
                    conn.execute(table.insert(), self.rows[key])
            if self.rows["choices"]:
                conn.execute(scenario_choices.insert(), self.rows["choices"])


def hand_made(store: Store) -> dict[str, str]:
    """Four learners; the states each has on clause X at the end of days 1..8 are worked out below."""
    w = Writer(store)
    a, b, c = (w.learner(n, "Phòng A") for n in ("Lê An", "Lê Bình", "Lê Chi"))
    d = w.learner("Lê Dũng", "Phòng B")
    # A: right on q1 and q2 (box 1, due day 1); right on day 2 (box 2, due day 5): mastered;
    #    wrong on day 6: due again, and forgotten after mastery.
    w.answer(a, "q1", True, day(0))
    w.answer(a, "q2", True, day(0, 1))
    w.answer(a, "q2", False, day(0, 2), try_no=2)  # a second try: not evidence
    w.answer(a, "q1", True, day(2))
    w.answer(a, "q2", False, day(6))
    # B: wrong (due at once), right on day 1 (box 1 again, due day 2; one item only: learning).
    w.answer(b, "q1", False, day(0))
    w.answer(b, "q1", True, day(1))
    # C: right on day 0, right on another item on day 1 an hour after the date: box 2, mastered, due day 4.
    w.answer(c, "q1", True, day(0))
    w.answer(c, "q2", True, day(1, 60))
    # C on Y: a violation first at a node citing only Y (due), then a best action at the same node
    # in the same run: only the first choice counts.
    run = w.attempt(c, day(0, 5), kind="scenario", activity="sc-phan-anh-mot-cua")
    w.choice(c, run, 0, "a3", "violation", day(0, 5))
    w.choice(c, run, 1, "a1", "best", day(0, 6))
    # D: nothing.
    w.save()
    return {"a": a, "b": b, "c": c, "d": d}


def local_midnight(n: int) -> datetime:
    """Midnight in Hà Nội at the start of day ``n`` (17:00 UTC the day before)."""
    return datetime(2025, 3, 3, 17, 0, tzinfo=UTC) + timedelta(days=n - 1)


RANGE = Filters(since=local_midnight(0), until=local_midnight(8))


def test_moments_are_period_ends() -> None:
    assert moments(local_midnight(0), local_midnight(8)) == tuple(local_midnight(n) for n in range(1, 9))
    weekly = moments(local_midnight(0), local_midnight(60))
    assert (
        len(weekly) <= 12 and weekly[1] - weekly[0] == timedelta(days=7) and weekly[-1] == local_midnight(60)
    )
    assert moments(local_midnight(0), local_midnight(0) + timedelta(hours=3)) == (
        local_midnight(0) + timedelta(hours=3),
    )


def test_hand_made_cohort(store: Store, real_course: Course) -> None:
    hand_made(store)
    found = retention(store.statistics, real_course, RANGE)
    assert found.moments == tuple(local_midnight(n) for n in range(1, 9))
    assert found.learners == 4
    x = next(c for c in found.clauses if c.clause_id == X)
    # A: L D M M M D D D; B: D L D D D D D D; C: L M M M D D D D; D: new throughout.
    assert x.counts[M] == (0, 1, 2, 2, 1, 0, 0, 0)
    assert x.counts[D] == (1, 1, 1, 1, 2, 3, 3, 3)
    assert x.counts[L] == (2, 1, 0, 0, 0, 0, 0, 0)
    assert x.counts[N] == (1,) * 8
    assert (x.ever_mastered, x.forgot, x.forget_rate) == (2, 1, 0.5)
    assert found.share(X, M)[2] == 0.5 and found.share(X, D)[5] == 0.75
    assert x.label == "Thời giờ làm việc; không uống rượu, bia"
    y = next(c for c in found.clauses if c.clause_id == Y)
    assert y.counts[D] == (1,) * 8 and y.counts[N] == (3,) * 8 and y.ever_mastered == 0
    untouched = next(c for c in found.clauses if c.clause_id == "heads.1")
    assert untouched.counts[N] == (4,) * 8 and untouched.forget_rate is None
    assert found.most_forgotten()[0].clause_id == X


def test_unit_and_time_filters(store: Store, real_course: Course) -> None:
    hand_made(store)
    unit = retention(
        store.statistics, real_course, Filters(since=RANGE.since, until=RANGE.until, units=("Phòng A",))
    )
    x = next(c for c in unit.clauses if c.clause_id == X)
    assert unit.learners == 3 and x.counts[N] == (0,) * 8 and x.counts[M] == (0, 1, 2, 2, 1, 0, 0, 0)
    # Up to the end of day 3: A's wrong answer on day 6 is not seen, so nobody has forgotten yet.
    early = retention(store.statistics, real_course, Filters(since=RANGE.since, until=local_midnight(4)))
    x = next(c for c in early.clauses if c.clause_id == X)
    assert x.counts[M] == (0, 1, 2, 2) and (x.ever_mastered, x.forgot) == (2, 0)


def test_plot_has_vietnamese_labels(store: Store, real_course: Course) -> None:
    hand_made(store)
    found = retention(store.statistics, real_course, RANGE)
    fig = plots.retention_plot(found)
    texts = {t.get_text() for ax in fig.axes for t in (*ax.texts, ax.title, ax.xaxis.label, ax.yaxis.label)}
    texts |= {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    texts |= {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    assert "Đã vững (%)" in texts and "Cần ôn (%)" in texts
    assert {"04/03", "10/03"} <= {t.get_text() for t in fig.axes[0].get_xticklabels()}  # dd/mm, day 0 = 03/03
    assert any("Thời giờ làm việc" in text for text in texts)
    assert plots.render(fig).startswith(b"\x89PNG")


def test_random_spaced_cohort_agrees_with_the_mastery_map(store: Store, real_course: Course) -> None:
    """Every learner's state at every moment is what their own 'Nắm vững' map says then."""
    rng = random.Random(20)
    w = Writer(store)
    ids = [w.learner(f"Người {n}", "Phòng A") for n in range(25)]
    clause_ids = real_course.directive.clause_ids
    for learner_id in ids:
        at = day(0)
        for _ in range(rng.randrange(0, 30)):
            at += timedelta(hours=rng.choice((0.1, 0.5, 3, 20, 26, 60, 170)))
            cites = tuple(rng.sample(clause_ids[:4], rng.choice((1, 1, 2))))
            w.answer(learner_id, f"q{rng.randrange(6)}", rng.random() < 0.75, at, cites)
    w.save()
    until = day(40)
    found = retention(store.statistics, real_course, Filters(until=until))
    expected: dict[str, list[list[int]]] = {
        cid: [[0] * len(found.moments) for _ in MasteryState] for cid in clause_ids
    }
    ever: dict[str, set[str]] = {cid: set() for cid in clause_ids}
    for learner_id in ids:
        every = outcomes(real_course, store.answers(learner_id), store.choices(learner_id))
        evidence = [o for o in every if o.at < until]
        for j, moment in enumerate(found.moments):
            known = mastery_map(clause_ids, [o for o in evidence if o.at < moment], moment)
            for item in known.clauses:
                expected[item.clause_id][list(MasteryState).index(item.state)][j] += 1
        for o in evidence:
            after = mastery_map(
                clause_ids, [e for e in evidence if (e.at, e.item_id) <= (o.at, o.item_id)], o.at
            )
            if after.state(o.clause_id) is M:
                ever[o.clause_id].add(learner_id)
    for row in found.clauses:
        for n, state in enumerate(MasteryState):
            assert list(row.counts[state]) == expected[row.clause_id][n], (row.clause_id, state)
        assert row.ever_mastered == len(ever[row.clause_id])
    assert any(row.ever_mastered for row in found.clauses)  # the cohort does reach mastery


def test_empty_store(store: Store, real_course: Course) -> None:
    found = retention(store.statistics, real_course, now=D0)
    assert found.learners == 0 and all(sum(c.counts[N]) == 0 for c in found.clauses)
    assert plots.retention_plot(found) is not None


def test_dashboard_tab(store: Store, real_course: Course) -> None:
    """The 'Ghi nhớ' tab is worked out when opened: the most forgotten clause first, dd/mm/yyyy."""
    from widgets.views.trainer.dashboard import RETENTION_TAB, DashboardPage

    hand_made(store)
    page = DashboardPage(real_course, store)
    assert page.tabs.titles[RETENTION_TAB] == "Ghi nhớ" and page.retention.value == ""
    page.since.value, page.until.value = date(2025, 3, 3), date(2025, 3, 10)
    page.update.click()
    page.tabs.selected_index = RETENTION_TAB
    html = page.retention.value
    assert "nk-retention-table" in html and "data:image/png;base64," in html
    first = html.index('data-clause="')
    assert html[first:].startswith(f'data-clause="{X}"')
    row = html[first : html.index("</tr>", first)]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert cells[1:] == ["0", "75", "2", "1", "50"]
    assert "10/03/2025" in html


def test_a_generated_cohort_agrees_with_the_replay_under_every_filter(
    store: Store, real_course: Course
) -> None:
    """The figures read from the stored timelines are those of replaying every answer
    (``tests/reference/retention.py``), unfiltered and by unit, role and time range."""
    generate(store.engine, real_course, 60)
    assert db.read(store.engine, lambda conn: timelines.stale_learners(conn, real_course)) == []
    unit = db.read(store.engine, lambda conn: conn.execute(learners.select().limit(1)).one().unit)
    now = D0 + timedelta(days=40)
    shown = []
    for filters in (
        Filters(),
        Filters(units=(unit,)),
        Filters(roles=(LEADER,)),
        Filters(since=day(1), until=day(9)),
        Filters(until=day(2, 30)),
    ):
        found = retention(store.statistics, real_course, filters, now=now)
        assert found == reference.retention(store.engine, real_course, filters, now=now), filters
        shown.append(found)
    everyone = shown[0]
    assert everyone.learners == 60 and 0 < shown[1].learners < 60
    assert all(any(sum(c.counts[s]) for c in everyone.clauses) for s in (L, D, N))  # states to compare
