"""xAPI export and idempotent import: round trip, re-import, three overlapping kiosks,
malformed lines, names only on request, and the ``neuguong records`` commands."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.cli import main
from widgets.content.model import Rating
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.records.identity import LEADER, STAFF, load_secret, write_secret
from widgets.records.interchange.export import export_statements, iter_json_lines
from widgets.records.interchange.merge import import_file, import_lines
from widgets.records.interchange.xapi import VERBS
from widgets.records.models import Learner
from widgets.records.policy import FINAL_ID
from widgets.records.schema import answers, attempts, certificates, learners, pledges, scenario_choices
from widgets.records.store import Store

HOME = "https://hoc.example.vn/neu-guong"
T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
TABLES = (attempts, answers, scenario_choices, certificates, pledges)
PLEDGE = "Tôi cam kết thực hiện nghiêm Công văn số 1273/UBND-NV: 1. Gương mẫu."


def ticking(start: datetime) -> Callable[[], datetime]:
    moment = [start]

    def clock() -> datetime:
        moment[0] += timedelta(seconds=7)
        return moment[0]

    return clock


def learner_day(store: Store, name: str, unit: str, start: datetime, *, code: str | None = None) -> Learner:
    """Sign in, a practice quiz (a wrong try then a right one), a scenario, a passed final, a certificate."""
    store.clock = ticking(start)
    learner = store.sign_in(name, unit, LEADER if code else STAFF, code)
    attempt = store.start_attempt(learner.id, "m1")
    wrong = AnswerResult("q1", ("a", "c"), 0.0, 1.0, False, (), ("officials.1",))
    right = AnswerResult("q1", ("a", "b"), 1.0, 1.0, True, (), ("officials.1",))
    other = AnswerResult("q2", "b", 0.0, 2.0, False, (), ("doc",))
    store.record_answer(learner.id, attempt.id, "m1", wrong, try_no=1)
    store.record_answer(learner.id, attempt.id, "m1", right, try_no=2)
    store.record_answer(learner.id, attempt.id, "m1", other, try_no=1)
    store.finish_quiz(learner.id, QuizResult("m1", attempt.id, (right, other), 80))
    run = store.start_scenario(learner.id, "s1", "m1")
    steps = (ScenarioStep("n1", "a2", Rating.ACCEPTABLE, "n2"), ScenarioStep("n2", "a1", Rating.BEST, "end"))
    for number, step in enumerate(steps):
        store.record_choice(learner.id, run.id, "s1", "m1", number, step)
    store.finish_scenario(learner.id, run.id, "m1", ScenarioResult("s1", steps, "end", 3, 4))
    final = store.start_attempt(learner.id, FINAL_ID, module_id="kiem-tra")
    result = AnswerResult("q9", "a", 1.0, 1.0, True, (), ("heads.1",))
    store.record_answer(learner.id, final.id, FINAL_ID, result, module_id="m9")
    store.finish_quiz(learner.id, QuizResult(FINAL_ID, final.id, (result,), 80), module_id="kiem-tra")
    store.issue_certificate(learner.id)
    store.record_pledge(learner.id, PLEDGE)
    open_attempt = store.start_attempt(learner.id, "m2")  # started, never answered: travels as "attempted"
    assert open_attempt.finished_at is None
    return learner


def snapshot(store: Store, tables: tuple[sa.Table, ...] = TABLES) -> dict[str, list[tuple]]:
    with store.engine.connect() as conn:
        return {table.name: sorted(tuple(row) for row in conn.execute(sa.select(table))) for table in tables}


def without_names(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The snapshot with the names on certificates and pledges (column 3 of both) blanked."""
    return {
        **tables,
        **{
            name: [(*row[:3], None, *row[4:]) for row in tables[name]] for name in ("certificates", "pledges")
        },
    }


def export_text(store: Store, **kw: object) -> str:
    return "".join(iter_json_lines(export_statements(store.engine, home=HOME, **kw)))  # type: ignore[arg-type]


@pytest.fixture
def kiosk(make_store: Callable[[str], Store]) -> Store:
    store = make_store("kiosk")
    learner_day(store, "Lò Văn Thành", "Sở Nội vụ", T0)
    learner_day(
        store,
        "Cầm Thị Hoa",
        "UBND huyện Mai Sơn",
        T0 + timedelta(hours=2),
        code="CB-042",
    )
    return store


def test_export_is_xapi_shaped_and_pseudonymous(kiosk: Store) -> None:
    text = export_text(kiosk)
    lines = text.splitlines()
    statements = [json.loads(line) for line in lines]
    assert "Lò Văn Thành" not in text and "Cầm Thị Hoa" not in text and "CB-042" not in text
    verbs = {s["verb"]["id"] for s in statements}
    assert verbs == {VERBS[v] for v in ("attempted", "answered", "completed", "passed", "failed")}
    ids = [s["id"] for s in statements]
    assert len(ids) == len(set(ids)) and all(uuid.UUID(i) for i in ids)
    learner_ids = {row[0] for row in snapshot(kiosk, (learners,))["learners"]}
    for statement in statements:
        account = statement["actor"]["account"]
        assert account == {"homePage": HOME, "name": account["name"]} and account["name"] in learner_ids
        assert "name" not in statement["actor"]
        assert statement["object"]["id"].startswith(HOME + "/activities/")
        assert statement["timestamp"].endswith("+07:00")
        assert datetime.fromisoformat(statement["timestamp"]).tzinfo is not None
    answered = [s for s in statements if s["object"]["id"].endswith("/activities/question/q1")]
    assert [(s["result"]["success"], s["result"]["score"]["scaled"]) for s in answered] == [
        (False, 0.0),
        (True, 1.0),
    ] * 2
    assert answered[0]["context"]["registration"] == answered[1]["context"]["registration"]
    ends = {(s["verb"]["id"], s["object"]["id"]) for s in statements if "completion" in s.get("result", {})}
    assert (VERBS["failed"], f"{HOME}/activities/quiz/m1") in ends  # 1 of 3 points
    assert (VERBS["passed"], f"{HOME}/activities/quiz/final") in ends
    assert (VERBS["completed"], f"{HOME}/activities/scenario/s1") in ends
    pledged = [s for s in statements if s["object"]["id"] == f"{HOME}/activities/pledge/course"]
    assert len(pledged) == 2 and {s["id"] for s in pledged} == {row[0] for row in snapshot(kiosk)["pledges"]}
    assert all(s["verb"]["id"] == VERBS["completed"] and s["result"]["response"] == PLEDGE for s in pledged)
    # one statement per answer, choice, attempt start, finish, certificate and pledge
    counts = {
        t.name: n
        for t, n in ((t, len(rows)) for t, rows in zip(TABLES, snapshot(kiosk).values(), strict=True))
    }
    finished = sum(1 for row in snapshot(kiosk)["attempts"] if row[7] is not None)
    assert (
        len(statements)
        == counts["answers"] + counts["scenario_choices"] + counts["attempts"] + finished + 2 + 2
    )
    assert counts["certificates"] == counts["pledges"] == 2


def test_names_travel_only_when_asked(kiosk: Store) -> None:
    text = export_text(kiosk, with_names=True)
    assert "Lò Văn Thành" in text and "CB-042" in text
    named = [json.loads(line)["actor"] for line in text.splitlines()]
    assert all("name" in actor for actor in named)


def test_since_keeps_only_later_records(kiosk: Store) -> None:
    later = [json.loads(line) for line in export_text(kiosk, since=T0 + timedelta(hours=1)).splitlines()]
    assert later and all(datetime.fromisoformat(s["timestamp"]) >= T0 + timedelta(hours=1) for s in later)
    everything = export_text(kiosk).splitlines()
    assert len(later) == len(everything) / 2


def test_round_trip_and_reimport_change_nothing(
    kiosk: Store, make_store: Callable[[str], Store], tmp_path: Path
) -> None:
    trainer = make_store("trainer")
    path = tmp_path / "kiosk.jsonl"
    path.write_text(export_text(kiosk), encoding="utf-8")
    first = import_file(trainer.engine, path)
    assert first.errors == [] and first.changed
    kiosk_rows = snapshot(kiosk, (learners, *TABLES))
    assert dict(first.added) == {name: len(rows) for name, rows in kiosk_rows.items()}
    assert without_names(snapshot(trainer)) == without_names(snapshot(kiosk))
    people = snapshot(trainer, (learners,))["learners"]
    assert len(people) == 2 and all(row[5] == "" and "chưa có tên" in row[1] for row in people)
    before = snapshot(trainer, (learners, *TABLES))
    second = import_file(trainer.engine, path)
    assert not second.changed and second.unchanged == second.statements == first.statements
    assert snapshot(trainer, (learners, *TABLES)) == before
    # the names arrive later: they fill in the placeholders, nothing else changes
    named = import_lines(trainer.engine, export_text(kiosk, with_names=True).splitlines())
    assert named.updated["learners"] == 2 and sum(named.added.values()) == 0
    assert sorted(row[1] for row in snapshot(trainer, (learners,))["learners"]) == [
        "Cầm Thị Hoa",
        "Lò Văn Thành",
    ]
    assert snapshot(trainer) == snapshot(kiosk)


def test_three_overlapping_kiosk_exports_merge_without_duplicates(
    make_store: Callable[[str], Store], tmp_path: Path
) -> None:
    kiosks = [make_store(f"kiosk{n}") for n in (1, 2, 3)]
    for kiosk in kiosks[1:]:  # one installation's kiosks share its identity secret (kiosk-setup)
        write_secret(kiosk.data, load_secret(kiosks[0].data), replace=True)
    learner_day(kiosks[0], "Lò Văn Một", "Sở Nội vụ", T0)
    learner_day(kiosks[0], "Quàng Văn Chung", "Sở Tư pháp", T0 + timedelta(days=1))
    learner_day(kiosks[1], "Lò Thị Hai", "Sở Y tế", T0 + timedelta(hours=1))
    learner_day(kiosks[1], "Quàng Văn Chung", "Sở Tư pháp", T0 + timedelta(days=2))  # same person, 2nd kiosk
    learner_day(kiosks[2], "Hà Văn Ba", "UBND huyện Sông Mã", T0 + timedelta(hours=3))
    files = []
    for n, kiosk in enumerate(kiosks, start=1):
        full = tmp_path / f"kiosk{n}.jsonl"
        full.write_text(export_text(kiosk), encoding="utf-8")
        again = tmp_path / f"kiosk{n}-since.jsonl"  # the next day's export overlaps the first
        again.write_text(export_text(kiosk, since=T0 + timedelta(hours=12)), encoding="utf-8")
        files += [full, again]
    trainer = make_store("trainer")
    reports = [import_file(trainer.engine, path) for path in reversed(files)]
    assert all(report.errors == [] for report in reports)
    merged = without_names(snapshot(trainer))
    for table in (attempts, answers, scenario_choices):
        expected = sorted(row for kiosk in kiosks for row in snapshot(kiosk)[table.name])
        assert merged[table.name] == expected, table.name  # every row once, none lost
    # one certificate per learner (the schema's rule): Chung's two kiosks each issued one
    issued = sorted(row for kiosk in kiosks for row in without_names(snapshot(kiosk))["certificates"])
    assert len(issued) == 5 and len(merged["certificates"]) == 4
    assert set(merged["certificates"]) < set(issued)
    pledged = sorted(row for kiosk in kiosks for row in without_names(snapshot(kiosk))["pledges"])
    assert len(pledged) == 5 and len(merged["pledges"]) == 4 and set(merged["pledges"]) < set(pledged)
    people = snapshot(trainer, (learners,))["learners"]
    assert len(people) == 4  # "Quàng Văn Chung" of Sở Tư pháp is one learner from two kiosks
    chung = next(row[0] for row in snapshot(kiosks[0], (learners,))["learners"] if row[2] == "Sở Tư pháp")
    assert sum(1 for row in merged["attempts"] if row[1] == chung) == 2 * 4
    assert all(not import_file(trainer.engine, path).changed for path in files)


def test_a_malformed_line_is_reported_by_number_and_skipped(
    kiosk: Store, make_store: Callable[[str], Store], tmp_path: Path
) -> None:
    good = export_text(kiosk).splitlines()
    answer_line = next(i for i, line in enumerate(good) if "/activities/question/" in line)
    bad_time = good[answer_line].replace("+07:00", "")
    lines = [
        good[0],
        "{not json",
        *good[1:answer_line],
        json.dumps({"id": "x"}),
        json.dumps({**json.loads(good[answer_line]), "id": "not-a-uuid"}),
        bad_time,
        "[]",
        "",
        *good[answer_line + 1 :],
    ]
    pledge_line = next(line for line in good if "/activities/pledge/" in line)
    lines.append(pledge_line.replace(json.dumps(PLEDGE, ensure_ascii=False)[1:-1], "   "))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    trainer = make_store("trainer")
    report = import_file(trainer.engine, path)
    bad = [2, answer_line + 2, answer_line + 3, answer_line + 4, answer_line + 5, len(lines)]
    assert [line for line, _ in report.errors] == bad
    messages = dict(report.errors)
    assert (
        "JSON" in messages[2]
        and "UUID" in messages[answer_line + 3]
        and "múi giờ" in messages[answer_line + 4]
        and "cam kết" in messages[len(lines)]
    )
    assert report.statements == len(good) - 1  # only the answer whose line was spoiled is missing
    kiosk_answers = snapshot(kiosk)["answers"]
    assert len(snapshot(trainer)["answers"]) == len(kiosk_answers) - 1
    assert snapshot(trainer)["attempts"] == snapshot(kiosk)["attempts"]


def test_records_commands_export_and_import(
    kiosk: Store, make_store: Callable[[str], Store], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    kiosk_url = kiosk.engine.url.render_as_string(hide_password=False)
    assert (
        main(
            [
                "records",
                "export",
                "--db",
                kiosk_url,
                "--home-page",
                HOME,
                "--since",
                "2025-03-10",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.stat().st_mode & 0o777 == 0o600
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(export_text(kiosk).splitlines())
    trainer = make_store("trainer")
    trainer_url = trainer.engine.url.render_as_string(hide_password=False)
    broken = tmp_path / "broken.jsonl"
    broken.write_text(out.read_text(encoding="utf-8") + "oops\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["records", "import", "--db", trainer_url, str(out), str(broken)]) == 1
    captured = capsys.readouterr()
    total = len(out.read_text(encoding="utf-8").splitlines())
    assert f"{broken}:{total + 1}:" in captured.err
    assert "đã có sẵn 30" in captured.out  # 28 + the 2 pledges
    assert without_names(snapshot(trainer)) == without_names(snapshot(kiosk))
    assert main(["records", "import", "--db", trainer_url, str(out)]) == 0
    with pytest.raises(SystemExit):
        main(["records", "export", "--since", "10/03/2025"])
