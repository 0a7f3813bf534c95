"""Records in and out of an installation as xAPI statements, one JSON object per line.

- :mod:`~widgets.records.interchange.xapi`: the vocabulary (verbs, activity IRIs, statement IDs)
  and the builder of one statement from one record;
- :mod:`~widgets.records.interchange.export`: every record since a moment, as statements
  (``records export``);
- :mod:`~widgets.records.interchange.parse`: one statement back into the rows it stands for, or
  why not (:class:`~widgets.records.interchange.parse.StatementError`);
- :mod:`~widgets.records.interchange.merge`: those rows into a store, idempotently
  (``records import``), through the records' own queries.

The package sits in the records layer and imports nothing above it.
"""
