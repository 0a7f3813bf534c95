"""The learner's "join a room" box (for the home page): type the code the trainer shows."""

from __future__ import annotations

import ipywidgets as w

from widgets.i18n import t
from widgets.records.errors import RecordsError
from widgets.records.rooms import Room
from widgets.records.store import Store
from widgets.render.fragments import render


class JoinRoomBox(w.VBox):
    """Code field, "Vào phòng" button, and the rooms the learner is in (no one else's names)."""

    def __init__(self, store: Store, learner_id: str) -> None:
        super().__init__()
        self.rooms = store.rooms
        self.learner_id = learner_id
        self.code = w.Text(placeholder=t("trainer.join.placeholder"), description=t("trainer.join.code"))
        self.code.add_class("nk-room-code-input")
        self.button = w.Button(description=t("trainer.join.submit"))
        self.button.add_class("nk-room-join")
        self.button.on_click(lambda _: self.join())
        self.status = w.HTML()
        self.status.add_class("nk-room-status")
        self.add_class("nk-room-join-box")
        self.children = [
            w.HTML(render("heading", text=t("trainer.join.heading"))),
            w.HBox([self.code, self.button]),
            self.status,
        ]
        self._show(error="")

    def join(self) -> Room | None:
        """Join the room whose code was typed; shows a Vietnamese message if it cannot."""
        try:
            room = self.rooms.join_room(self.code.value, self.learner_id)
        except RecordsError as error:
            self._show(error=error.message)
            return None
        self.code.value = ""
        self._show(error="")
        return room

    def _show(self, error: str) -> None:
        try:
            joined = self.rooms.rooms_joined(self.learner_id)
        except RecordsError:
            joined = []
        self.status.value = render("trainer_join", rooms=joined, error=error)
