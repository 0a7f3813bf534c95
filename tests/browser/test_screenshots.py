"""Issue 6: screenshots of the home page, a module, a scenario and the certificate, compared
with reviewed references in ``tests/browser/screenshots/`` at an office and a tablet size.

Deterministic by construction: learners are seeded through the records API (fixed names,
staff codes, so fixed learner IDs and quiz draws); the browser sees only the fonts of
Debian's ``fonts-dejavu-core`` (what CI installs), whatever else this machine has; dates, the
certificate code, its QR code and the place-and-date line are masked; animations and the caret
are off. ``NEUGUONG_UPDATE_SCREENSHOTS=1`` rewrites the references (see
``tests/browser/screenshots/README.md``).
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from signing import session_query

from widgets.content.course import load_course
from widgets.content.model import Course, Scenario
from widgets.engine.results import AnswerResult, QuizResult
from widgets.engine.scenario import choose, path_result
from widgets.records.identity import STAFF, write_secret
from widgets.records.policy import FINAL_ID
from widgets.records.store import Store, open_store

from conftest import CHROMIUM, CHROMIUM_ARGS, _browser_unavailable
from imagediff import BUDGET, PIXEL_TOLERANCE, UPDATE_ENV, assert_matches_reference, compare, diff_image

REPO = Path(__file__).resolve().parents[2]
REFERENCES = Path(__file__).parent / "screenshots"
OUTPUT = REPO / "test-output" / "screenshots"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CORE_FONTS = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansMono.ttf",
    "DejaVuSansMono-Bold.ttf",
    "DejaVuSerif.ttf",
    "DejaVuSerif-Bold.ttf",
)
"""The files of Debian's fonts-dejavu-core: the only fonts CI is sure to have."""
VIEWPORTS = {
    "office": {"width": 1366, "height": 768},
    # A 10-inch tablet held upright: the narrowest width the stylesheet promises to fit.
    "tablet": {"width": 800, "height": 1280},
}
NAME, UNIT = "Lò Thị Mai Hương", "Sở Nội vụ"
MODULE_NOTEBOOK = "02-tong-quan.ipynb"
BEGUN_MODULE = "thoi-gio-5-ro"
VOLATILE = (
    ".nk-cert-date, .nk-cert-code-line, .nk-cert-verify, .nk-pledge-recorded, "
    ".nk-cert-qr svg, .nk-cert-place-date"
)
"""Dates and the certificate code and its QR code (the code depends on the installation's secret
and the time)."""
UNROLL = """
body.nk-site { display: block !important; height: auto !important; overflow: visible !important; }
body.nk-site > #main, #jp-main-content-panel, #rendered_cells {
  position: static !important; height: auto !important; width: auto !important;
  contain: none !important; overflow: visible !important;
}"""
"""Test only: the page's content scrolls inside Voilà's shell; laid out in the document
instead, a full-page screenshot holds all of it."""
ONE_WORD_CHANGED = """() => {
    const item = [...document.querySelectorAll('li')].find(li => li.textContent.endsWith('Đang học'));
    item.textContent = item.textContent.replace(/Đang học$/, 'Chưa học');
}"""
SETTLE = """async () => {
    await document.fonts.ready;
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    return document.fonts.status;
}"""


# ---- Site, browser and learners ---------------------------------------------------------------


@pytest.fixture(scope="module")
def site(start_voila: Callable[..., Any]) -> Any:
    """The real learner notebooks (the server other layout tests share)."""
    return start_voila("learner", root_dir=REPO / "notebooks" / "learner", env={"NEUGUONG_PREHEAT": "0"})


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium that finds only the fonts-dejavu-core files (a fontconfig of its own), so
    the pages render here as on a CI machine with nothing but those fonts."""
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} not found")
    missing = [name for name in CORE_FONTS if not (DEJAVU / name).exists()]
    assert not missing, f"install fonts-dejavu-core: {missing} not in {DEJAVU}"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _browser_unavailable("playwright is not installed")
    fonts = tmp_path_factory.mktemp("fonts")
    (fonts / "files").mkdir()
    for name in CORE_FONTS:
        (fonts / "files" / name).symlink_to(DEJAVU / name)
    config = fonts / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{fonts / 'files'}</dir>\n  <cachedir>{fonts / 'cache'}</cachedir>\n"
        '  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n</fontconfig>\n',
        encoding="utf-8",
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(config), "HOME": str(fonts)}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, env=env
        )
        yield browser
        browser.close()


FIXED_IDENTITY_SECRET = bytes(range(32))
"""Learner IDs (and so quiz draws) are keyed by the installation's secret: a fixed one keeps the
shots the same from run to run (the pages find their learner through the session token)."""


def store_of(site: Any) -> Store:
    write_secret(site.data_dir, FIXED_IDENTITY_SECRET, replace=True)
    return open_store(data=site.data_dir)


def sign_in(store: Store, code: str) -> str:
    """The same visible name and unit for every shot; the staff code keeps learners apart."""
    return store.sign_in(NAME, UNIT, STAFF, staff_code=code).id


def pass_quiz(store: Store, learner_id: str, quiz_id: str, module_id: str, question_id: str) -> None:
    attempt = store.start_attempt(learner_id, quiz_id, module_id=module_id)
    answer = AnswerResult(question_id, "a", 1.0, 1.0, True, (), ())
    store.record_answer(learner_id, attempt.id, quiz_id, answer, module_id=module_id)
    store.finish_quiz(learner_id, QuizResult(quiz_id, attempt.id, (answer,), 80), module_id=module_id)


def finish_scenario(store: Store, learner_id: str, module_id: str, scenario: Scenario) -> None:
    """Walk the first action at every decision to an end, as the page records it."""
    run = store.start_scenario(learner_id, scenario.id, module_id)
    steps: tuple = ()
    while not scenario.node(steps[-1].next_node_id if steps else scenario.start).is_end:
        node = scenario.node(steps[-1].next_node_id if steps else scenario.start)
        step, _ = choose(scenario, steps, node.actions[0].id)
        store.record_choice(learner_id, run.id, scenario.id, module_id, len(steps), step)
        steps = (*steps, step)
    store.finish_scenario(learner_id, run.id, module_id, path_result(scenario, steps))


def learner_on_the_way(store: Store, course: Course, code: str) -> str:
    """One module complete, one begun, the rest not started: every card state on the home page."""
    learner_id = sign_in(store, code)
    done, begun = course.modules[1], course.module(BEGUN_MODULE)
    pass_quiz(store, learner_id, done.id, done.id, done.questions[0].id)
    for scenario in done.scenarios:
        finish_scenario(store, learner_id, done.id, scenario)
    store.start_attempt(learner_id, begun.id, module_id=begun.id)
    return learner_id


def learner_who_passed(store: Store, course: Course, code: str) -> str:
    """Passed the final assessment and made the pledge: the certificate page shows the sheet."""
    learner_id = sign_in(store, code)
    pass_quiz(store, learner_id, FINAL_ID, course.modules[1].id, course.modules[1].questions[0].id)
    store.record_pledge(learner_id, "Tôi cam kết thực hiện nghiêm Công văn số 1273/UBND-NV.")
    return learner_id


# ---- Shots ----------------------------------------------------------------------------------


def open_page(page: Any, site: Any, wait: Callable[..., str], notebook: str, learner_id: str) -> None:
    page.goto(site.render_url(notebook, session_query(open_store(data=site.data_dir), learner_id)))
    wait(page)
    page.add_style_tag(content=UNROLL)


def settle(page: Any) -> None:
    """Fonts loaded, nothing focused or hovered, two frames drawn."""
    page.mouse.move(0, 0)
    assert page.evaluate(SETTLE) == "loaded"


def shoot(target: Any, page: Any) -> bytes:
    """The whole page (``target is page``) or one element, with volatile parts masked."""
    settle(page)
    options: dict[str, Any] = {
        "animations": "disabled",
        "caret": "hide",
        "mask": [page.locator(VOLATILE)],
        "mask_color": "#ff00ff",
    }
    if target is page:
        return page.screenshot(full_page=True, **options)
    return target.screenshot(**options)


def check_all(shots: dict[str, bytes]) -> None:
    """Compare every shot (so each failing one leaves its images), then report all failures."""
    failures = []
    for name, png in shots.items():
        try:
            assert_matches_reference(png, REFERENCES / f"{name}.png", OUTPUT)
        except AssertionError as failure:
            failures.append(str(failure))
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_home_page(site: Any, page: Any, wait_for_voila: Callable[..., str], size: str) -> None:
    course = load_course()
    page.set_viewport_size(VIEWPORTS[size])
    learner_id = learner_on_the_way(store_of(site), course, f"SHOT-HOME-{size.upper()}")
    open_page(page, site, wait_for_voila, "home.ipynb", learner_id)
    assert page.locator(".nk-module-card .nk-card-body[data-state=complete]").count() == 1
    png = shoot(page, page)
    check_all({f"home-{size}": png})

    # The tolerance and budget let no real change through: one state word changed on this page.
    page.evaluate(ONE_WORD_CHANGED)
    result = compare(Image.open(io.BytesIO(shoot(page, page))), Image.open(io.BytesIO(png)))
    assert result.same_size and not result.matches(), result.describe()


@pytest.mark.parametrize("size", VIEWPORTS)
def test_module_page_and_a_scenario(
    site: Any, page: Any, wait_for_voila: Callable[..., str], size: str
) -> None:
    """The module page as it opens, then its first scenario after the first choice."""
    page.set_viewport_size(VIEWPORTS[size])
    learner_id = sign_in(store_of(site), f"SHOT-MODULE-{size.upper()}")
    open_page(page, site, wait_for_voila, MODULE_NOTEBOOK, learner_id)
    module_png = shoot(page, page)
    scenario = page.locator(".nk-scenario").first
    scenario.locator(".nk-scenario-choice").first.click()
    scenario.locator(".nk-outcome").wait_for()
    scenario_png = shoot(scenario, page)
    check_all({f"module-{size}": module_png, f"scenario-{size}": scenario_png})


@pytest.mark.parametrize("size", VIEWPORTS)
def test_certificate_page(site: Any, page: Any, wait_for_voila: Callable[..., str], size: str) -> None:
    page.set_viewport_size(VIEWPORTS[size])
    learner_id = learner_who_passed(store_of(site), load_course(), f"SHOT-CERT-{size.upper()}")
    open_page(page, site, wait_for_voila, "chung-nhan.ipynb", learner_id)
    page.locator(".nk-certificate").wait_for()
    assert NAME in page.locator(".nk-cert-name").inner_text()
    check_all({f"certificate-{size}": shoot(page, page)})


# ---- The comparison itself (no browser) -------------------------------------------------------


@pytest.fixture
def comparing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Compare, even when the references are being regenerated in this run."""
    monkeypatch.delenv(UPDATE_ENV, raising=False)


def page_like(width: int = 200, height: int = 100) -> Image.Image:
    """A light page with a dark "text" bar, standing in for a screenshot."""
    pixels = np.full((height, width, 3), 244, dtype=np.uint8)
    pixels[40:60, 20:180] = (26, 26, 26)
    return Image.fromarray(pixels, "RGB")


def changed(box: tuple[slice, slice], colour: tuple[int, int, int]) -> Image.Image:
    pixels = np.asarray(page_like(), dtype=np.uint8).copy()
    pixels[box] = colour
    return Image.fromarray(pixels, "RGB")


def png_of(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_anti_aliasing_noise_within_the_tolerance_matches() -> None:
    noisy = np.asarray(page_like(), dtype=np.int16).copy()
    noisy[40:60, 20:180] += PIXEL_TOLERANCE  # every "text" pixel lighter, none beyond the tolerance
    result = compare(Image.fromarray(noisy.astype(np.uint8), "RGB"), page_like())
    assert result.differing == 0 and result.matches()


def test_a_pixel_beyond_the_tolerance_differs() -> None:
    one = changed((slice(0, 1), slice(0, 1)), (244 - PIXEL_TOLERANCE - 1, 244, 244))
    assert compare(one, page_like()).differing == 1


def test_differences_within_the_budget_match_and_beyond_it_fail() -> None:
    within = changed((slice(0, 3), slice(0, BUDGET // 3)), (155, 28, 28))
    beyond = changed((slice(0, 3), slice(0, BUDGET // 3 + 1)), (155, 28, 28))
    assert compare(within, page_like()).differing == BUDGET and compare(within, page_like()).matches()
    result = compare(beyond, page_like())
    assert result.differing == BUDGET + 3 and not result.matches()


def test_a_different_size_never_matches() -> None:
    result = compare(page_like(200, 101), page_like())
    assert not result.matches() and "size (200, 101)" in result.describe()


def test_mismatch_writes_actual_reference_and_diff(tmp_path: Path, comparing: None) -> None:
    reference = tmp_path / "refs" / "home-office.png"
    reference.parent.mkdir()
    page_like().save(reference)
    out = tmp_path / "out"
    with pytest.raises(AssertionError, match=re.escape("5000 pixels (25.000%) differ")) as failure:
        assert_matches_reference(png_of(changed((slice(0, 50), slice(0, 100)), (0, 0, 255))), reference, out)
    assert str(out) in str(failure.value)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["home-office-actual.png", "home-office-diff.png", "home-office-reference.png"]
    diff = np.asarray(Image.open(out / "home-office-diff.png"))
    assert tuple(diff[10, 10]) == (255, 0, 0) and tuple(diff[90, 190]) != (255, 0, 0)


def test_a_matching_shot_writes_nothing(tmp_path: Path, comparing: None) -> None:
    reference = tmp_path / "home-office.png"
    page_like().save(reference)
    assert_matches_reference(png_of(page_like()), reference, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_reference_fails_unless_updating(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = tmp_path / "home-tablet.png"
    monkeypatch.delenv(UPDATE_ENV, raising=False)
    with pytest.raises(AssertionError, match=f"{UPDATE_ENV}=1"):
        assert_matches_reference(png_of(page_like()), reference, tmp_path / "out")
    assert not reference.exists()
    monkeypatch.setenv(UPDATE_ENV, "1")
    assert_matches_reference(png_of(page_like()), reference, tmp_path / "out")
    assert compare(Image.open(reference), page_like()).differing == 0


def test_diff_image_marks_only_differing_pixels() -> None:
    mask = np.zeros((100, 200), dtype=bool)
    mask[5, 7] = True
    diff = np.asarray(diff_image(page_like(), mask))
    assert (diff == (255, 0, 0)).all(axis=2).sum() == 1
