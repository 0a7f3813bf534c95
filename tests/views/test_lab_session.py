"""In JupyterLab (no URL per notebook) the learner who signs in on the home notebook is the
one every other notebook acts for, until "Kết thúc"; Voilà's pages never use that memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from widgets.records.store import open_store
from widgets.site.lab import LAB_LEARNER_FILE, remembered_learner
from widgets.views.home import HomePage, home_page
from widgets.views.module import module_page
from widgets.views.quiz import QuizView

from .state import visible_html, widget_tree
from .test_pages_with_records import answer_current


@pytest.fixture
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture_course_dir: Path) -> Path:
    """A notebook kernel in JupyterLab: no ``VOILA_*`` variables, no query string."""
    for name in ("VOILA_BASE_URL", "VOILA_KERNEL_ID", "VOILA_PREHEAT", "VOILA_SERVER_URL", "QUERY_STRING"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NEUGUONG_DATA", str(tmp_path))
    monkeypatch.delenv("NEUGUONG_DB_URL", raising=False)
    monkeypatch.delenv("NEUGUONG_SITE_MODE", raising=False)
    monkeypatch.setenv("NEUGUONG_CONTENT", str(fixture_course_dir))
    return tmp_path


def sign_in(name: str) -> HomePage:
    page = home_page()
    assert page.form is not None
    page.form.name.value = name
    page.form.unit.index = 1
    page.form.role.index = 1
    assert page.form.sign_in() is not None
    return page


def quiz_of(page) -> QuizView:  # type: ignore[no-untyped-def]
    return next(w for w in widget_tree(page) if isinstance(w, QuizView))


def test_the_other_notebooks_act_for_who_signed_in_on_the_home_notebook(lab: Path) -> None:
    home = sign_in("Lò Thị Nga")
    learner_id = remembered_learner(lab)
    assert learner_id and (lab / LAB_LEARNER_FILE).stat().st_mode & 0o077 == 0
    assert "Lò Thị Nga" in visible_html(home)
    assert "nk-redirect" not in visible_html(home)  # no URL to go to in JupyterLab

    question = answer_current(quiz_of(module_page("tong-quan")))
    saved = open_store(data=lab).answers(learner_id)
    assert [(a.module_id, a.question_id) for a in saved] == [("tong-quan", question.question.id)]
    assert "Lò Thị Nga" in visible_html(home_page())


def test_sign_out_in_jupyterlab_forgets_the_learner(lab: Path) -> None:
    home = sign_in("Lò Thị Nga")
    sign_out = next(w for w in widget_tree(home) if "nk-sign-out" in getattr(w, "_dom_classes", ()))
    sign_out.click()
    assert remembered_learner(lab) is None and home.form is not None
    assert home_page().form is not None  # the next notebook opened asks who is learning


def test_voila_pages_never_use_the_lab_memory(lab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in("Lò Thị Nga")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")  # the same installation served by Voilà
    assert home_page().form is not None  # a page without ?learner= names nobody
    sign_in("Cầm Văn Hùng")
    monkeypatch.delenv("VOILA_KERNEL_ID")
    assert "Lò Thị Nga" in visible_html(home_page())  # Voilà's sign-in did not touch it
