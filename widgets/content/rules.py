"""Course-wide rules ``neuguong check`` enforces on content that parses: question levels, the
share of application questions, the final assessment's pool, and the style list.

These are not parse errors: a course that breaks them still loads (the site keeps working
while authors fix it), but ``neuguong check`` fails with one ``file:line: message`` each.
"""

from __future__ import annotations

import dataclasses as dc
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from widgets.content.documents import read_text, read_yaml
from widgets.content.model import Course, Level, Module, ModuleKind, Question, SourceRef
from widgets.content.problems import Problem, ProblemLog, display_path
from widgets.i18n import t

MIN_APPLICATION_SHARE = 40
"""Percent of all questions that must be ``application``."""
MIN_APPLICATION_PER_CLAUSE = 2
"""``application`` questions each clause of the directive needs."""
FINAL_MIN_APPLICATION = 50
"""Percent of the final's drawn items that must be ``application`` (its policy may ask more)."""
STYLE_FILE = "style.yml"
STYLE_KEYS = ("term", "preferred", "reason")


def course_rules(course: Course, root: Path) -> list[Problem]:
    """Every rule problem of a parsed course whose content folder is ``root``."""
    return [
        *level_problems(course),
        *application_problems(course),
        *final_problems(course),
        *style_problems(course, root),
    ]


class _Sourced(Protocol):
    """Anything the content model locates in a file (a question, a module…)."""

    @property
    def source(self) -> SourceRef: ...


def _at(where: _Sourced, message: str) -> Problem:
    return Problem(where.source.path, where.source.line, message)


def level_problems(course: Course) -> list[Problem]:
    """A question without ``level``."""
    return [_at(q, t("check.question_no_level", q=q.id)) for q in course.questions if q.level is None]


def application_counts(questions: Iterable[Question], clause_ids: Iterable[str]) -> dict[str, int]:
    """Per clause ID: the ``application`` questions citing it."""
    counts = dict.fromkeys(clause_ids, 0)
    for question in questions:
        if question.level is Level.APPLICATION:
            for clause_id in set(question.cites):
                if clause_id in counts:
                    counts[clause_id] += 1
    return counts


def application_problems(course: Course) -> list[Problem]:
    """Fewer than 40 % application questions overall, or fewer than 2 for a clause."""
    problems = []
    questions = course.questions
    application = sum(q.level is Level.APPLICATION for q in questions)
    if questions and application * 100 < MIN_APPLICATION_SHARE * len(questions):
        share = round(100 * application / len(questions))
        problems.append(
            _at(
                course,
                t(
                    "check.application_share",
                    application=application,
                    count=len(questions),
                    share=share,
                    minimum=MIN_APPLICATION_SHARE,
                ),
            )
        )
    for clause_id, count in application_counts(questions, course.directive.clause_ids).items():
        if count < MIN_APPLICATION_PER_CLAUSE:
            problems.append(
                _at(
                    course.directive.clause(clause_id),
                    t(
                        "check.application_per_clause",
                        clause_id=clause_id,
                        count=count,
                        minimum=MIN_APPLICATION_PER_CLAUSE,
                    ),
                )
            )
    return problems


def final_problems(course: Course) -> list[Problem]:
    """The final's policy and pool: a scored decision set, at least half application items,
    partial credit on; and a pool able to meet them."""
    problems = []
    for module in course.modules:
        if module.kind is not ModuleKind.ASSESSMENT:
            continue
        policy, pool = module.quiz, module.quiz.pool

        def add(message: str, module: Module = module) -> None:
            problems.append(_at(module, t("check.final_quiz", message=message)))

        if policy.scenarios < 1:
            add(t("check.final_needs_scenarios"))
        if policy.min_application < FINAL_MIN_APPLICATION:
            add(t("check.final_min_application", minimum=FINAL_MIN_APPLICATION))
        if not policy.partial_credit:
            add(t("check.final_partial_credit"))
        sets = {q.decision_set for q in pool if q.decision_set}
        if len(sets) < policy.scenarios:
            add(t("check.final_scenarios_short", scenarios=policy.scenarios, count=len(sets)))
        drawn = policy.draw if policy.draw is not None else len(pool)
        decisions = min((sum(1 for q in pool if q.decision_set == s) for s in sets), default=0) * min(
            policy.scenarios, len(sets)
        )
        application = sum(q.level is Level.APPLICATION for q in pool if not q.decision_set)
        needed = math.ceil(policy.min_application * drawn / 100)
        if decisions + application < needed:
            add(
                t(
                    "check.final_application_short",
                    needed=needed,
                    drawn=drawn,
                    application=application,
                    decisions=decisions,
                )
            )
        bad = [q.id for q in pool if q.interpretive or course.module_of(q.id).kind is ModuleKind.GUIDE]
        if bad:  # the loader never puts them there; a guard for hand-built courses
            add(t("check.final_pool_excluded", questions=", ".join(bad)))
    return problems


@dc.dataclass(frozen=True, slots=True)
class StyleRule:
    """A term learners should not see, the wording to use instead, and why."""

    term: str
    preferred: str
    reason: str
    line: int

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(rf"(?<!\w){re.escape(self.term)}(?!\w)", re.IGNORECASE)

    def finds(self, text: str) -> list[re.Match[str]]:
        """Occurrences in any case, except those spelled exactly as ``preferred``."""
        return [m for m in self.pattern.finditer(text) if m.group(0) != self.preferred]


def read_style(root: Path, problems: list[Problem]) -> list[StyleRule]:
    """``style.yml``: a list of ``{term, preferred, reason}``; none when the file is absent."""
    path = root / STYLE_FILE
    if not path.is_file():
        return []
    log = ProblemLog(path, problems)
    text = read_text(path, log)
    data = read_yaml(text, log) if text is not None else None
    if not isinstance(data, list):
        log.add(1, t("check.style_yml_list"))
        return []
    lines = (text or "").splitlines()
    rules: list[StyleRule] = []
    for entry in data:
        term = str(entry.get("term") or "").strip() if isinstance(entry, dict) else ""
        line = next((n for n, s in enumerate(lines, 1) if term and "term:" in s and term in s), 1)
        if not isinstance(entry, dict) or set(entry) - set(STYLE_KEYS):
            log.add(line, t("check.style_yml_keys", keys=", ".join(STYLE_KEYS)))
            continue
        preferred, reason = (str(entry.get(k) or "").strip() for k in ("preferred", "reason"))
        if not (term and preferred and reason):
            log.add(line, t("check.style_yml_entry"))
            continue
        rules.append(StyleRule(term, preferred, reason, line))
    return rules


def style_files(course: Course, root: Path) -> list[Path]:
    """The Markdown learners read: modules, glossary and FAQ (not directive.md, which quotes the
    source word for word)."""
    paths = [Path(m.source.path) for m in course.modules]
    paths += [Path(term.source.path) for term in course.glossary]
    paths += [Path(entry.source.path) for entry in course.faq]
    found = []
    for path in dict.fromkeys(paths):
        candidate = path if path.is_absolute() or path.exists() else root / path
        found.append(candidate)
    return found


def style_problems(course: Course, root: Path) -> list[Problem]:
    """Every occurrence of a style-list term, as ``file:line``."""
    problems: list[Problem] = []
    rules = read_style(root, problems)
    if not rules:
        return problems
    for path in style_files(course, root):
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:
            continue
        shown = display_path(path)
        for number, line in enumerate(text.splitlines(), start=1):
            taken: list[tuple[int, int]] = []  # "phó giám đốc sở" is not also "giám đốc sở"
            for rule in sorted(rules, key=lambda r: -len(r.term)):
                for found in rule.finds(line):
                    if any(a <= found.start() and found.end() <= b for a, b in taken):
                        continue
                    taken.append(found.span())
                    message = t(
                        "check.style_term", found=found.group(0), preferred=rule.preferred, reason=rule.reason
                    )
                    problems.append(Problem(shown, number, message))
    return problems
