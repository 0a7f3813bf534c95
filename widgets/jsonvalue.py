"""JSON as it crosses the kit's edges: files and lines from other machines, the browser's messages,
exports. Parse into :data:`JsonValue` and narrow with ``isinstance`` before use."""

from __future__ import annotations

from typing import TypeAlias

JsonValue: TypeAlias = bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"] | None
"""Every value ``json.loads`` can return."""
JsonObject: TypeAlias = dict[str, JsonValue]
"""A JSON object."""
