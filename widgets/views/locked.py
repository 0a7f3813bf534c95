"""What a locked page shows (``nk-locked``): in Vietnamese, each step that remains, linked to
the page where it is done. The rules are the core's (:mod:`widgets.engine.progress`)."""

from __future__ import annotations

from widgets.content.model import Course, ModuleKind
from widgets.engine.progress import Lock, ModuleState, Step, final_lock, requirements_for
from widgets.i18n import t
from widgets.render.fragments import render
from widgets.views.sitelinks import CERTIFICATE_NOTEBOOK, HOME_NOTEBOOK, SiteLinks


def guest_final_lock(course: Course) -> Lock:
    """What a visitor who has not signed in must do before the final assessment."""
    states = {req.module_id: ModuleState.NOT_STARTED for req in requirements_for(course)}
    lock = final_lock(states, signed_in=False)
    assert lock is not None
    return lock


def locked_html(lock: Lock, course: Course, links: SiteLinks, *, lead: str) -> str:
    """The ``nk-locked`` message: ``lead`` (a catalogue key), then one linked line per step."""
    modules = {module.id: module for module in course.modules}
    final = next((m for m in course.modules if m.kind is ModuleKind.ASSESSMENT), None)
    items: list[tuple[str, str | None]] = []
    for step in lock.steps:
        if step is Step.SIGN_IN:
            items.append((t("locked.sign_in"), links.page(HOME_NOTEBOOK)))
        elif step is Step.MODULE:
            for module_id in lock.modules:
                module = modules.get(module_id)
                if module is not None:
                    items.append((t("locked.module", title=module.title), links.page(module.notebook)))
        elif step is Step.FINAL:
            items.append((t("locked.final"), links.page(final.notebook) if final else None))
        elif step is Step.PLEDGE:
            items.append((t("locked.pledge"), links.page(CERTIFICATE_NOTEBOOK)))
    return render("locked", lead=t(lead), items=items, home=links.page(HOME_NOTEBOOK))
