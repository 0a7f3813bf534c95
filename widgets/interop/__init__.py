"""Question banks in other formats: Moodle GIFT (import and export) and jupyterquiz JSON (import).

Everything here is pure: text in, model objects or text out. The ``neuguong`` sub-commands that
read and write files live in ``widgets.commands.interop``.
"""
