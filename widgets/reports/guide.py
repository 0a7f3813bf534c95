"""The facilitator guide: per module, the timing, clauses, instructor notes (discussion
questions, misconceptions) and the scenario cases to run in the room — as HTML that prints
well on A4 (``standalone=True`` gives a whole document with its print stylesheet)."""

from __future__ import annotations

import dataclasses as dc
from collections.abc import Sequence

from widgets.content.model import Clause, Course, InstructorNote, Module, Scenario
from widgets.render.fragments import render


@dc.dataclass(frozen=True, slots=True)
class ModuleGuide:
    number: int
    module: Module
    clauses: tuple[Clause, ...]
    notes: tuple[InstructorNote, ...]
    scenarios: tuple[Scenario, ...]
    decisions: dict[str, int]
    """Scenario ID → number of decision nodes."""

    @property
    def minutes(self) -> int:
        return self.module.teaching_minutes + self.module.exercise_minutes


def module_guides(course: Course, module_ids: Sequence[str] | None = None) -> list[ModuleGuide]:
    """The guide of each module (all, or those named), in course order."""
    wanted = set(module_ids) if module_ids else None
    known = {clause.id: clause for clause in course.directive.clauses}
    guides = []
    for number, module in enumerate(course.modules, start=1):
        if wanted is not None and module.id not in wanted:
            continue
        guides.append(
            ModuleGuide(
                number=number,
                module=module,
                clauses=tuple(known[c] for c in module.clauses if c in known),
                notes=module.instructor,
                scenarios=module.scenarios,
                decisions={s.id: sum(1 for node in s.nodes if not node.is_end) for s in module.scenarios},
            )
        )
    return guides


def guide_html(course: Course, module_ids: Sequence[str] | None = None, *, standalone: bool = False) -> str:
    """The guide as HTML (a fragment, or a printable document with ``standalone``)."""
    guides = module_guides(course, module_ids)
    return render(
        "trainer_guide",
        course=course,
        guides=guides,
        total=sum(g.minutes for g in guides),
        standalone=standalone,
    )


def _plain(markdown: str) -> list[str]:
    """A note's Markdown as lines for the PDF: bullets as «•», ``**bold**`` kept for fpdf2."""
    lines = []
    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith(("- ", "* ", "+ ")):
            line = "• " + line[2:]
        lines.append(line.replace("__", "").replace("`", ""))
    return lines


def guide_pdf(course: Course, module_ids: Sequence[str] | None = None) -> bytes:
    """The guide as an A4 portrait PDF (DejaVu Sans embedded): the agenda, then per module its
    timing, clauses, instructor notes and scenario cases — the same content as :func:`guide_html`.
    Text is printed as written (only ``**bold**`` in the notes is interpreted)."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    from widgets.certificates.fonts import BOLD, REGULAR, font_path
    from widgets.i18n import t

    guides = module_guides(course, module_ids)
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"{t('trainer.guide.title')} — {course.title}")
    pdf.set_creator("neuguong")
    pdf.add_font("DejaVu", "", font_path(REGULAR))
    pdf.add_font("DejaVu", "B", font_path(BOLD))
    pdf.set_margins(16, 18)
    pdf.set_auto_page_break(True, margin=18)

    def para(text: str, size: float = 10.5, *, bold: bool = False, markdown: bool = False) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, markdown=markdown, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.add_page()
    para(t("trainer.guide.title"), 18, bold=True)
    para(f"{course.title} — {course.directive.number}")
    pdf.ln(2)
    for g in guides:
        para(
            f"{g.number}. {g.module.title}: {g.module.teaching_minutes} + {g.module.exercise_minutes} "
            f"{t('trainer.guide.minutes')} · {t('trainer.guide.cases')}: {len(g.scenarios)}"
        )
    para(t("trainer.guide.total", minutes=sum(g.minutes for g in guides)), bold=True)
    for g in guides:
        pdf.add_page()
        para(f"{g.number}. {g.module.title}", 15, bold=True)
        if g.module.summary:
            para(g.module.summary)
        timing = t(
            "trainer.guide.timing",
            teaching=g.module.teaching_minutes,
            exercises=g.module.exercise_minutes,
            total=g.minutes,
        )
        if g.module.questions:
            questions = t("trainer.guide.questions", n=len(g.module.questions), mark=g.module.quiz.pass_mark)
            timing = f"{timing} · {questions}"
        para(timing)
        if g.clauses:
            pdf.ln(2)
            para(t("trainer.guide.clauses"), 12, bold=True)
            for clause in g.clauses:
                para(f"• {clause.id} — {clause.label}")
        if g.notes:
            pdf.ln(2)
            para(t("trainer.guide.notes"), 12, bold=True)
            for note in g.notes:
                for line in _plain(note.body):
                    if line:
                        para(line, markdown=True)
                    else:
                        pdf.ln(2)
                pdf.ln(1)
        if g.scenarios:
            pdf.ln(2)
            para(t("trainer.guide.scenarios"), 12, bold=True)
            for scenario in g.scenarios:
                para(
                    f"• {scenario.title} ({t('trainer.guide.decisions')}: {g.decisions[scenario.id]})",
                    bold=True,
                )
                if scenario.setting:
                    para(scenario.setting)
    return bytes(pdf.output())
