"""Helpers shared by the records tests (importable: ``tests/records`` is on ``sys.path``)."""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    """A settable clock for :attr:`Store.clock`; each reading advances 1 ms."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment
