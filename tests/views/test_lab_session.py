"""In JupyterLab (no URL per notebook) the session opened on the home notebook (its token, never
the learner ID, kept in the data folder) is the one every other notebook acts for, until
"Kết thúc"; Voilà's pages never use that memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from signing import fill_form

from widgets.records.store import open_store
from widgets.runtime.lab import LAB_SESSION_FILE, remembered_token
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
    assert fill_form(page.form, name) is not None
    return page


def quiz_of(page) -> QuizView:  # type: ignore[no-untyped-def]
    return next(w for w in widget_tree(page) if isinstance(w, QuizView))


def test_the_other_notebooks_act_for_who_signed_in_on_the_home_notebook(lab: Path) -> None:
    home = sign_in("Lò Thị Nga")
    token = remembered_token(lab)
    assert token and (lab / LAB_SESSION_FILE).stat().st_mode & 0o077 == 0
    learner_id = open_store(data=lab).find_learners(name="Lò Thị Nga", unit=home.form.unit.value)[0].id  # type: ignore[union-attr]
    assert learner_id not in (lab / LAB_SESSION_FILE).read_text()
    assert "Lò Thị Nga" in visible_html(home)
    assert "nk-redirect" not in visible_html(home)  # no URL to go to in JupyterLab

    question = answer_current(quiz_of(module_page("tong-quan")))
    saved = open_store(data=lab).answers(learner_id)
    assert [(a.module_id, a.question_id) for a in saved] == [("tong-quan", question.question.id)]
    assert "Lò Thị Nga" in visible_html(home_page())


def test_sign_out_in_jupyterlab_forgets_the_learner(lab: Path) -> None:
    home = sign_in("Lò Thị Nga")
    sign_out = next(w for w in widget_tree(home) if "nk-sign-out" in getattr(w, "_dom_classes", ()))
    token = remembered_token(lab)
    sign_out.click()
    assert remembered_token(lab) is None and home.form is not None
    (lab / LAB_SESSION_FILE).write_text(str(token))  # the ended token, put back, opens nothing
    assert home_page().form is not None
    assert home_page().form is not None  # the next notebook opened asks who is learning


def test_voila_pages_never_use_the_lab_memory(lab: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sign_in("Lò Thị Nga")
    monkeypatch.setenv("VOILA_KERNEL_ID", "k-1")  # the same installation served by Voilà
    assert home_page().form is not None  # a page without ?session= names nobody
    sign_in("Cầm Văn Hùng")
    monkeypatch.delenv("VOILA_KERNEL_ID")
    assert "Lò Thị Nga" in visible_html(home_page())  # Voilà's sign-in did not touch it
