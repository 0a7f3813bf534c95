"""Reference implementations: the trainer's figures computed the obvious way, for tests only.

The package computes each statistic once, in SQL (:mod:`widgets.records.statistics`). The
modules here say the same thing in plain Python over every row — load the filtered records
(:func:`reference.cohort.load_cohort`), then count — and the tests hold the package to their
figures, under each filter, on SQLite and PostgreSQL (``tests/reports/test_reports_sql_agrees.py``
for completion, scores, items and scenarios). They reuse the package's result types and finishing
steps (``make_report``, ``item_stat``, ``node_stats``): only the counting differs.
"""
