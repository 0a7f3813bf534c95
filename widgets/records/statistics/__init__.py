"""The trainer dashboard's statistics, computed in the database (SQLAlchemy Core, SQLite and
PostgreSQL), one module per statistic with its result types next to its query:

* :mod:`~widgets.records.statistics.completion` — per learner, the modules done, the counted
  final score and the certificate;
* :mod:`~widgets.records.statistics.scores` — a quiz's counted scores, pass rate and attempts;
* :mod:`~widgets.records.statistics.items` — Moodle's item analysis of a quiz, rolled up per clause;
* :mod:`~widgets.records.statistics.scenarios` — each learner's first choice per decision node;
* :mod:`~widgets.records.statistics.filters` — the trainer's filters as SQL conditions, and the
  SQL the statistics share;
* :mod:`~widgets.records.statistics.snapshot` — ``store.statistics``: the dashboard's statistics
  read in one transaction, and the filters' choices.

Only one row per learner, per item or per node action leaves the database. The queries are shaped
for migration 5's covering indexes: grouped passes over an index in its order, ``ROW_NUMBER()``
windows only over the few attempts at one quiz, an anti-join for an item's last try; PostgreSQL
takes ``DISTINCT ON`` where it keeps a first or last row in an index's order. A plain-Python
reference over every row (``tests/reference/``) is held to the same figures by
``tests/reports/test_reports_sql_agrees.py``. :mod:`widgets.reports.dashboard` assembles the
dashboard from ``store.statistics``.
"""
