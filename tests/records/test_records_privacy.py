"""Privacy: one learner's data exported as JSON or deleted, by API and command line."""

from __future__ import annotations

import argparse
import json
import stat
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from widgets.commands import records_cli
from widgets.content.model import Rating
from widgets.engine.results import AnswerResult, QuizResult, ScenarioResult, ScenarioStep
from widgets.records.errors import NotFoundError
from widgets.records.identity import LEADER, STAFF
from widgets.records.models import Learner
from widgets.records.policy import FINAL_ID
from widgets.records.progress import Requirement
from widgets.records.schema import LEARNER_TABLES, learner_aliases, learners, room_members, rooms
from widgets.records.store import EXPORT_FORMAT, Store

REQS = (Requirement("m1", "m1", ("s1",)),)


def full_learner(store: Store, name: str, code: str | None = None) -> Learner:
    """A learner with rows in every table."""
    learner = store.sign_in(name, "Sở Nội vụ <b>&</b>", LEADER, code)
    assert store.authenticate(name, "Sở Nội vụ <b>&</b>", LEADER, code, "112233", "112233") == learner
    with store.engine.begin() as conn:  # an ID from before migration 6
        conn.execute(
            learner_aliases.insert(),
            {"alias_id": str(uuid.uuid4()), "learner_id": learner.id, "created_at": datetime.now(UTC)},
        )
    for quiz_id in ("m1", FINAL_ID):
        attempt = store.start_attempt(learner.id, quiz_id)
        result = AnswerResult("q1", ("a", "b"), 1.0, 1.0, True, (), ("officials.1",))
        store.record_answer(learner.id, attempt.id, quiz_id, result, module_id="m1")
        store.finish_quiz(learner.id, QuizResult(quiz_id, attempt.id, (result,), 80))
    run = store.start_scenario(learner.id, "s1", "m1")
    step = ScenarioStep("n1", "a", Rating.BEST, "end")
    store.record_choice(learner.id, run.id, "s1", "m1", 0, step)
    store.finish_scenario(learner.id, run.id, "m1", ScenarioResult("s1", (step,), "end", 2, 2))
    store.progress(learner.id, REQS)
    store.record_pledge(learner.id, "Tôi cam kết nêu gương.")
    store.issue_certificate(learner.id)
    now = datetime.now(UTC)
    room = {"id": str(uuid.uuid4()), "code": learner.id[:6], "title": "Lớp", "opened_at": now}
    with store.engine.begin() as conn:
        conn.execute(rooms.insert(), room)
        conn.execute(
            room_members.insert(), {"room_id": room["id"], "learner_id": learner.id, "joined_at": now}
        )
    store.open_session(learner.id, timedelta(minutes=3))
    return learner


def row_counts(store: Store, learner_id: str) -> dict[str, int]:
    with store.engine.connect() as conn:
        counts = {
            t.name: conn.execute(
                sa.select(sa.func.count()).select_from(t).where(t.c.learner_id == learner_id)
            ).scalar_one()
            for t in LEARNER_TABLES
        }
        counts["learners"] = conn.execute(
            sa.select(sa.func.count()).select_from(learners).where(learners.c.id == learner_id)
        ).scalar_one()
    return counts


def test_export_holds_every_row_of_one_learner(store: Store) -> None:
    one = full_learner(store, "Nguyễn Văn Một")
    two = full_learner(store, "Trần Thị Hai")
    data = json.loads(json.dumps(store.export_learner(one.id)))
    assert data["format"] == EXPORT_FORMAT and data["learner"]["full_name"] == "Nguyễn Văn Một"
    assert data["learner"]["unit"] == "Sở Nội vụ <b>&</b>"
    for table, n in row_counts(store, one.id).items():
        if table != "learners":
            assert len(data[table]) == n > 0, table
            assert all(row["learner_id"] == one.id for row in data[table])
    assert data["answers"][0]["response"] == ["a", "b"]
    assert data["answers"][0]["cites"] == ["officials.1"]
    assert data["answers"][0]["answered_at"].endswith("+00:00")
    assert two.id not in json.dumps(data)
    with pytest.raises(NotFoundError):
        store.export_learner("00000000-0000-4000-8000-000000000000")


def test_delete_removes_one_learner_entirely(store: Store) -> None:
    one = full_learner(store, "Nguyễn Văn Một")
    two = full_learner(store, "Trần Thị Hai")
    before = row_counts(store, two.id)
    deleted = store.delete_learner(one.id)
    assert deleted["learners"] == 1 and deleted["answers"] == 2
    assert set(row_counts(store, one.id).values()) == {0}
    assert row_counts(store, two.id) == before
    assert store.get_learner(one.id) is None
    assert store.delete_learner(one.id)["learners"] == 0
    # a kernel still open for the deleted learner cannot write for them any more
    attempt_id = store.attempts(two.id)[0].id
    store.delete_learner(two.id)
    result = AnswerResult("q2", "a", 1.0, 1.0, True, (), ())
    with pytest.raises(NotFoundError):
        store.record_answer(two.id, attempt_id, "m1", result)
    # signing in again starts a fresh record
    again = store.sign_in("Nguyễn Văn Một", "Sở Nội vụ <b>&</b>", STAFF)
    assert store.attempts(again.id) == []


@pytest.fixture
def cli(db_url: str, data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("NEUGUONG_DATA", str(data_dir))
    parser = argparse.ArgumentParser(prog="neuguong")
    records_cli.register(parser.add_subparsers(dest="command", required=True))

    def run(*argv: str) -> int:
        args = parser.parse_args([*argv, "--db", db_url])
        return args.func(args)

    return run


def test_cli_export_delete_and_verify(
    store: Store, cli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    learner = full_learner(store, "Lò Văn Xuân", code="SL-77")
    code = store.certificate(learner.id).code  # type: ignore[union-attr]

    assert cli("verify", code.lower()) == 0
    assert "hợp lệ" in capsys.readouterr().out
    assert cli("verify", "NG-0000-0000") == 1
    assert cli("verify", "xyz") == 1
    capsys.readouterr()

    assert cli("learner", "export", "--code", "sl-77") == 0
    assert json.loads(capsys.readouterr().out)["learner"]["id"] == learner.id
    out = tmp_path / "export.json"
    assert cli("learner", "export", "--name", "lò văn  xuân", "--unit", "Sở Nội vụ <b>&</b>",
               "-o", str(out)) == 0  # fmt: skip
    assert json.loads(out.read_text(encoding="utf-8"))["learner"]["id"] == learner.id
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert cli("learner", "export", "--name", "Không Có Ai", "--unit", "Sở Nội vụ") == 1
    assert cli("learner", "export") == 1
    assert "--code" in capsys.readouterr().err

    assert cli("learner", "delete", "--id", learner.id) == 1  # no --yes, no terminal
    assert store.get_learner(learner.id) is not None
    assert cli("learner", "delete", "--id", learner.id, "--yes") == 0
    assert "Đã xoá" in capsys.readouterr().out
    assert store.get_learner(learner.id) is None
    assert cli("verify", code) == 1
