"""Rendering, neutral ground between the learner views and the reports: the autoescaped Jinja2
templates in ``templates/`` and :mod:`widgets.render.fragments`, which renders them.

Pure Python: no ipywidgets import, so the reports (the facilitator guide) use it as the views do.
"""
