"""Live workshop rooms: the trainer's projector screen (:mod:`~widgets.views.rooms.room`, served
only by the trainer site: ``from widgets.views.rooms import room_page`` then ``room_page()``) and
the learner's "join a room" box on the home page (:mod:`~widgets.views.rooms.join`). Their records
are :mod:`widgets.records.rooms`, reached through ``store.rooms``."""

from __future__ import annotations

from widgets.views.rooms.join import JoinRoomBox
from widgets.views.rooms.room import RoomPage, room_page

__all__ = ["JoinRoomBox", "RoomPage", "room_page"]
