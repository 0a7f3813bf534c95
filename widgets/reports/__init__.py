"""Trainer reports over the records store: plain Python, no ipywidgets.

``queries`` loads a filtered :class:`~widgets.reports.queries.Cohort` with SQLAlchemy Core;
``completion``, ``scores``, ``items`` and ``scenarios`` are pure functions over it;
``xapi`` and ``merge`` move records between machines as xAPI-shaped JSON lines; ``rooms``
runs live workshop rooms; ``exports``, ``plots`` and ``guide`` produce files, images and
printable HTML. The trainer views in :mod:`widgets.views.trainer` only compose these.
"""
