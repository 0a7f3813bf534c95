"""What every trainer page needs: the course, the store, and small HTML helpers."""

from __future__ import annotations

import base64
import dataclasses as dc
from datetime import date, datetime, time, timedelta

import ipywidgets as w

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.records.policy import COURSE_TZ
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.views.context import records_store


@dc.dataclass(frozen=True, slots=True)
class Download:
    label: str
    filename: str
    href: str


def trainer_context(course: Course | None = None, store: Store | None = None) -> tuple[Course, Store | None]:
    return course or load_course(), store or records_store()


def html(template: str, **context: object) -> w.HTML:
    return w.HTML(render(template, **context))


def download(label: str, filename: str, data: bytes, mime: str) -> Download:
    """A link that saves ``data`` (a ``data:`` URI: nothing is served from disk)."""
    return Download(label, filename, f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")


def day_start(day: date | None) -> datetime | None:
    """Midnight (Asia/Ho_Chi_Minh) at the start of ``day``."""
    return None if day is None else datetime.combine(day, time(), COURSE_TZ)


def day_end(day: date | None) -> datetime | None:
    """Midnight at the end of ``day`` (so the range includes the whole day)."""
    return None if day is None else datetime.combine(day + timedelta(days=1), time(), COURSE_TZ)
