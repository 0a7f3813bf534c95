"""The learner notebooks are generated from the course: imports and one display call each."""

from __future__ import annotations

from pathlib import Path

import nbformat

from widgets.content.model import Course
from widgets.i18n import t

HOME = "home.ipynb"
REFERENCE_PAGES = {
    "tra-cuu.ipynb": ("search_page()", "nav.search"),
    "thuat-ngu.ipynb": ("glossary_page()", "nav.glossary"),
    "van-ban.ipynb": ("directive_page()", "nav.directive"),
    "chung-nhan.ipynb": ("certificate_page()", "certificate.title"),
    "cac-dang-cau-hoi.ipynb": ("practice_page()", "practice.title"),
    "xac-minh.ipynb": ("verify_page()", "verify.title"),
    "on-tap.ipynb": ("review_page()", "review.title"),
}
"""Site pages beside the modules: file name → (display call, catalogue key of the title)."""
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def page_notebook(call: str, title: str) -> nbformat.NotebookNode:
    """A notebook whose only cell imports ``widgets`` and makes one display call."""
    function = call.split("(", 1)[0]
    cell = nbformat.v4.new_code_cell(f"from widgets import {function}\n\n{call}")
    cell.id = "page"  # stable, so regenerating leaves unchanged notebooks alone
    cell.metadata["tags"] = []
    notebook: nbformat.NotebookNode = nbformat.v4.new_notebook(cells=[cell])  # nbformat is untyped
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.metadata["title"] = title
    return notebook


def site_notebooks(course: Course) -> dict[str, nbformat.NotebookNode]:
    """File name → notebook, for the home page and every module."""
    notebooks = {HOME: page_notebook("home_page()", course.title)}
    for module in course.modules:
        notebooks[module.notebook] = page_notebook(f'module_page("{module.id}")', module.title)
    for name, (call, title_key) in REFERENCE_PAGES.items():
        notebooks[name] = page_notebook(call, t(title_key))
    return notebooks


def write_notebooks(course: Course, folder: Path) -> list[Path]:
    """Write the site's notebooks into ``folder``; returns the files that changed."""
    changed = []
    for name, notebook in site_notebooks(course).items():
        path = folder / name
        text = nbformat.writes(notebook) + "\n"
        if not path.is_file() or _cells(path) != _cells_of(notebook):
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed


def stale_notebooks(course: Course, folder: Path) -> list[str]:
    """Names of notebooks that are missing or whose code differs from what the course needs."""
    return [
        name
        for name, notebook in site_notebooks(course).items()
        if not (folder / name).is_file() or _cells(folder / name) != _cells_of(notebook)
    ]


def _cells(path: Path) -> list[str]:
    return _cells_of(nbformat.read(path, as_version=4))


def _cells_of(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells]
