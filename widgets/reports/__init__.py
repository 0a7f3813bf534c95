"""Trainer reports: they assemble, plot and export what the records give (plain Python, no ipywidgets).

The statistics themselves — completion, scores, item analysis, scenario choices — are computed
in the database by :mod:`widgets.records.statistics`, one module per statistic.
:mod:`~widgets.reports.dashboard` reads them all in one snapshot and rolls them up per đơn vị
(:mod:`~widgets.reports.units`, against a :mod:`~widgets.reports.roster`) and per clause;
:mod:`~widgets.reports.retention` replays each learner's mastery over time;
:mod:`~widgets.reports.exports` writes CSV and XLSX tables, :mod:`~widgets.reports.plots` the
figures, :mod:`~widgets.reports.guide` the printable facilitator guide. The trainer views in
:mod:`widgets.views.trainer` only compose these.
"""
