"""The dashboard's statistics in plain Python over every row: the reference implementation.

The package computes each statistic once, in SQL (:mod:`widgets.records.statistics`). These
functions say the same thing the obvious way — load every row of the filtered records
(:func:`reference.cohort.load_cohort`), then count in Python — and
``tests/reports/test_reports_sql_agrees.py`` holds the SQL to their figures, under each filter,
on SQLite and PostgreSQL. They reuse the statistics' result types and finishing steps
(``make_report``, ``item_stat``, ``node_stats``): only the counting differs.
"""
