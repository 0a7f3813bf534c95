"""Records in and out of an installation as xAPI statements, one JSON object per line.

:mod:`~widgets.records.interchange.xapi` writes the statements (``records export``);
:mod:`~widgets.records.interchange.merge` reads them back into a store, idempotently
(``records import``). Both sit in the records layer: they use its tables, rows and queries,
and nothing above it.
"""
