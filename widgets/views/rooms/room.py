"""The live workshop room for a projector: open a room, show its code, pick a question or a
scenario decision, and watch the room's answers arrive (no names), refreshed every 2 s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import ipywidgets as w

from widgets.content.course import load_course
from widgets.content.model import Course
from widgets.i18n import t
from widgets.records import rooms
from widgets.records.policy import COURSE_TZ
from widgets.records.rooms import Distribution, Room, Rooms
from widgets.records.store import Store
from widgets.render.fragments import render
from widgets.views.context import records_store
from widgets.views.rooms.live import INTERVAL_S, LiveRefresher


def focus_options(course: Course) -> list[tuple[str, str]]:
    """(label, focus) for every question and every scenario decision, in course order."""
    options = []
    for number, module in enumerate(course.modules, start=1):
        for question in module.questions:
            stem = " ".join(question.stem.split())
            options.append(
                (f"{number}. {t('trainer.room.question')}: {stem[:90]}", rooms.question_focus(question.id))
            )
        for scenario in module.scenarios:
            for node in scenario.nodes:
                if not node.is_end:
                    text = " ".join(node.text.split())
                    label = f"{number}. {scenario.title} — {text[:70]}"
                    options.append((label, rooms.node_focus(scenario.id, node.id)))
    return options


def distribution(
    live: Rooms, course: Course, room: Room | None, focus: str | None
) -> tuple[str, Distribution | None]:
    """(heading, distribution) of the room's answers to ``focus``; ``("", None)`` if none."""
    parsed = rooms.parse_focus(focus) if room is not None else None
    if parsed is None or room is None:
        return "", None
    kind, item_id, node_id = parsed
    if kind == "question":
        question = course.question(item_id)
        return question.stem, live.question_distribution(room.id, question)
    scenario = next(s for s in course.scenarios if s.id == item_id)
    return scenario.node(node_id or "").text, live.node_distribution(room.id, scenario, node_id or "")


class RoomPage(w.VBox):
    """Several rooms may be open at once; this screen shows the one chosen in the list."""

    def __init__(
        self, course: Course, store: Store | None, *, interval: float = INTERVAL_S, live: bool = True
    ) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.add_class("nk-page")
        self.add_class("nk-trainer")
        self.add_class("nk-room-page")
        header = w.HTML(render("header", course=course, title=t("trainer.room.title"), summary=""))
        if store is None:
            message = w.HTML(render("message", text=t("trainer.unavailable"), kind="error"))
            self.children = [header, message]
            self.refresher = None
            return
        self.rooms = store.rooms
        self.title = w.Text(
            placeholder=t("trainer.room.title_placeholder"), description=t("trainer.room.name")
        )
        self.open_button = w.Button(description=t("trainer.room.open"), button_style="primary", icon="plus")
        self.open_button.add_class("nk-room-open")
        self.open_button.on_click(lambda _: self.open_room())
        self.room_list = w.Dropdown(description=t("trainer.room.rooms"))
        self.room_list.observe(lambda _: self.show_room(), names="value")
        self.close_button = w.Button(description=t("trainer.room.close"), icon="times")
        self.close_button.on_click(lambda _: self.close_room())
        self.code = w.HTML()
        self.code.add_class("nk-room-code-box")
        self.focus = w.Dropdown(
            options=[(t("trainer.room.pick"), None), *focus_options(course)],
            description=t("trainer.room.focus"),
            layout=w.Layout(width="100%"),
        )
        self.focus.observe(self._focus_changed, names="value")
        self.reveal = w.ToggleButton(description=t("trainer.room.reveal"), icon="eye")
        self.reveal.observe(lambda _: self.refresh_now(), names="value")
        self.live = w.HTML(render("trainer_room_live", heading="", dist=None, reveal=False, updated=""))
        self.live.add_class("nk-room-live-box")
        self.children = [
            w.HTML(render("trainer_style")),
            header,
            w.HBox([self.title, self.open_button]),
            w.HBox([self.room_list, self.close_button]),
            self.code,
            w.HBox([self.focus, self.reveal]),
            self.live,
        ]
        self.load_rooms()
        self.refresher = LiveRefresher(self._fetch, self._apply, interval)
        if live:
            self.refresher.start()

    @property
    def room(self) -> Room | None:
        chosen: Room | None = self.room_list.value  # a widget's traitlet: Any to mypy
        return chosen

    def load_rooms(self, select: Room | None = None) -> None:
        open_now = self.rooms.open_rooms()
        self.room_list.options = [(f"{r.code} — {r.title}" if r.title else r.code, r) for r in open_now]
        if select is not None:
            self.room_list.value = next(r for r in open_now if r.id == select.id)
        self.show_room()

    def open_room(self) -> Room:
        room = self.rooms.open_room(self.title.value)
        self.title.value = ""
        self.load_rooms(select=room)
        return room

    def close_room(self) -> None:
        if self.room is not None:
            self.rooms.close_room(self.room.id)
            self.load_rooms()

    def show_room(self) -> None:
        room = self.room
        self.code.value = render("trainer_room_code", room=room)
        if room is not None and room.focus and room.focus in {value for _, value in self.focus.options}:
            self.focus.value = room.focus
        self.refresh_now()

    def refresh_now(self) -> None:
        self._apply(self._fetch())

    def _focus_changed(self, change: dict[str, Any]) -> None:
        if self.room is not None:
            self.rooms.set_focus(self.room.id, change["new"])
        self.refresh_now()

    def _fetch(self) -> tuple[str, Distribution | None]:
        return distribution(self.rooms, self.course, self.room, self.focus.value)

    def _apply(self, result: tuple[str, Distribution | None]) -> None:
        heading, dist = result
        updated = datetime.now(COURSE_TZ).strftime("%H:%M:%S")
        self.live.value = render(
            "trainer_room_live", heading=heading, dist=dist, reveal=self.reveal.value, updated=updated
        )

    def close(self) -> None:
        if self.refresher is not None:
            self.refresher.stop()
        super().close()


def room_page(course: Course | None = None, store: Store | None = None) -> RoomPage:
    """The live room screen for the configured records store."""
    return RoomPage(course or load_course(), store or records_store())
