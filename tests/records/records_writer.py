"""A writer process for the concurrency tests (run as a script, not collected by pytest).

    python records_writer.py URL DATA_DIR COUNT ATTEMPT_ID

Signs in the same learner as every other writer, prints ``READY``, waits for ``GO`` on
stdin, then records COUNT answers through the records API, printing each answer's ID only
after its transaction committed; then writes its first 50 answers again (harmless) and
prints ``DONE``.
"""

from __future__ import annotations

import sys
import uuid

from widgets.engine.results import AnswerResult
from widgets.records.identity import STAFF
from widgets.records.store import open_store

REPLAY = 50


def main(url: str, data: str, count: int, attempt_id: str) -> int:
    store = open_store(url, data=data)
    learner = store.sign_in("Nguyễn Thị Bình", "Sở Nội vụ", STAFF)
    store.start_attempt(learner.id, "m1", attempt_id=attempt_id)
    print("READY", flush=True)
    if sys.stdin.readline().strip() != "GO":
        return 2
    written: list[tuple[str, AnswerResult, int]] = []
    for i in range(count):
        answer_id = str(uuid.uuid4())
        result = AnswerResult(f"q{i % 20}", ("a", str(i)), 1.0, 1.0, True, (), ("officials.1",))
        store.record_answer(learner.id, attempt_id, "m1", result, answer_id=answer_id,
                            try_no=1 + i // 20)  # fmt: skip
        sys.stdout.write(answer_id + "\n")
        sys.stdout.flush()
        if len(written) < REPLAY:
            written.append((answer_id, result, 1 + i // 20))
    for answer_id, result, try_no in written:
        store.record_answer(learner.id, attempt_id, "m1", result, answer_id=answer_id,
                            try_no=try_no)  # fmt: skip
    print("DONE", flush=True)
    return 0


if __name__ == "__main__":
    url, data, count, attempt_id = sys.argv[1:5]
    sys.exit(main(url, data, int(count), attempt_id))
