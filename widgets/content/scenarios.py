"""``scenario`` blocks → ``Scenario`` graphs, with the graph checked for dead ends."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from markdown_it.tree import SyntaxTreeNode

from widgets.content.fields import check_cites, check_fields, cites_field, is_valid_id, split_ids
from widgets.content.interpretation import lesson_parts
from widgets.content.markdown import BLOCK, Block, as_block, line_of
from widgets.content.model import Action, Node, Rating, Scenario, SourceRef
from widgets.content.problems import ProblemLog
from widgets.content.questions import item_text
from widgets.i18n import t

SCENARIO_FIELDS = ("title", "setting", "start")
NODE_FIELDS = ("cites", "image", "image-alt")
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp")
MAX_IMAGE_BYTES = 512 * 1024
"""Node images are sent inside the page (a ``data:`` URI): offline, within the site's CSP."""
ACTION_FIELDS = ("rating", "next", "cites", "consequence", "rationale")
MIN_ACTIONS, MAX_ACTIONS = 2, 4


def parse_scenario(
    block: Block,
    lines: list[str],
    known_clauses: Collection[str],
    log: ProblemLog,
    base: Path | None = None,
) -> Scenario | None:
    """``base``: the module file's folder, where node images are looked up."""
    check_fields(block, SCENARIO_FIELDS, log)
    scenario_id = block.args[0] if block.args else ""
    if not scenario_id or not is_valid_id(scenario_id):
        log.add(block.line, t("check.scenario_needs_id"))
        return None
    for name in ("title", "start"):
        if not block.fields.get(name, (0, ""))[1]:
            log.add(block.line, t("check.scenario_missing_field", scenario_id=scenario_id, name=name))
    nodes: list[Node] = []
    for child in block.body:
        if child.type == BLOCK and (inner := as_block(child)).name == "node":
            if (node := _parse_node(inner, lines, known_clauses, log, base)) is not None:
                nodes.append(node)
        elif child.type == BLOCK:
            log.add(
                line_of(child),
                t("check.block_not_in_scenario", name=as_block(child).name),
            )
        else:
            log.add(line_of(child), t("check.scenario_outside_node"))
    scenario = Scenario(
        id=scenario_id,
        title=block.fields.get("title", (0, ""))[1],
        setting=block.fields.get("setting", (0, ""))[1],
        start=block.fields.get("start", (0, ""))[1],
        nodes=tuple(nodes),
        source=SourceRef(log.path, block.line),
    )
    check_graph(scenario, log)
    return scenario


def _parse_node(
    block: Block,
    lines: list[str],
    known_clauses: Collection[str],
    log: ProblemLog,
    base: Path | None,
) -> Node | None:
    check_fields(block, NODE_FIELDS, log)
    if not block.args or not is_valid_id(block.args[0]):
        log.add(block.line, t("check.node_needs_id"))
        return None
    text_nodes = [n for n in block.body if n.type != "bullet_list"]
    parts = lesson_parts(block, lines, text_nodes, known_clauses, log)
    lists = [n for n in block.body if n.type == "bullet_list"]
    actions = tuple(
        action
        for index, item in enumerate(lists[0].children if lists else ())
        if (action := _parse_action(item, index, lines, known_clauses, log)) is not None
    )
    if len(lists) > 1:
        log.add(line_of(lists[1]), t("check.node_one_action_list"))
    text = "\n\n".join(part.body for part in parts if part.interpretation is None and part.body)
    if not text:
        log.add(block.line, t("check.node_no_text", node=block.args[0]))
    if actions and not MIN_ACTIONS <= len(actions) <= MAX_ACTIONS:
        log.add(
            block.line,
            t(
                "check.node_action_count",
                node=block.args[0],
                least=MIN_ACTIONS,
                most=MAX_ACTIONS,
                count=len(actions),
            ),
        )
    return Node(
        id=block.args[0],
        text=text,
        cites=cites_field(block, known_clauses, log, required=False),
        actions=actions,
        source=SourceRef(log.path, block.line),
        image=_image(block, base, log),
        image_alt=block.fields.get("image-alt", (0, ""))[1],
        interpretations=tuple(part.interpretation for part in parts if part.interpretation),
    )


def _image(block: Block, base: Path | None, log: ProblemLog) -> str | None:
    """The node's ``image`` as an absolute path, checked: a file beside the module, of a known
    type and size, with ``image-alt`` (what the picture shows, for those who cannot see it)."""
    line, value = block.fields.get("image", (block.line, ""))
    if not value:
        if "image-alt" in block.fields:
            log.add(block.fields["image-alt"][0], t("check.image_alt_without_image"))
        return None
    if not block.fields.get("image-alt", (0, ""))[1]:
        log.add(line, t("check.image_needs_alt", image=value))
    if "://" in value or value.startswith(("/", "\\")) or Path(value).is_absolute():
        log.add(
            line,
            t("check.image_not_address", image=value),
        )
        return None
    if Path(value).suffix.lower() not in IMAGE_TYPES:
        log.add(line, t("check.image_type", image=value, types=", ".join(IMAGE_TYPES)))
        return None
    path = ((base or Path.cwd()) / value).resolve()
    if not path.is_file():
        log.add(line, t("check.image_not_found", image=value))
        return None
    if (size := path.stat().st_size) > MAX_IMAGE_BYTES:
        log.add(
            line, t("check.image_too_large", image=value, size=size // 1024, most=MAX_IMAGE_BYTES // 1024)
        )
        return None
    return str(path)


def _parse_action(
    item: SyntaxTreeNode,
    index: int,
    lines: list[str],
    known_clauses: Collection[str],
    log: ProblemLog,
) -> Action | None:
    line = line_of(item)
    text = item_text(item)
    fields = _action_fields(item, log)
    for name in ACTION_FIELDS:
        if not fields.get(name, (0, ""))[1]:
            log.add(line, t("check.action_missing_field", action=text[:40], name=name))
    rating_value = fields.get("rating", (line, ""))[1]
    try:
        rating = Rating(rating_value)
    except ValueError:
        if rating_value:
            log.add(
                fields["rating"][0],
                t("check.rating_unknown", rating_value=rating_value),
            )
        rating = Rating.VIOLATION
    cites_line, cites_value = fields.get("cites", (line, ""))
    cites = check_cites(
        split_ids(cites_value), cites_line, known_clauses, log, t("check.what.action"), required=False
    )
    return Action(
        id=f"a{index + 1}",
        text=text,
        rating=rating,
        consequence=fields.get("consequence", (0, ""))[1],
        rationale=fields.get("rationale", (0, ""))[1],
        cites=cites,
        next=fields.get("next", (0, ""))[1],
        source=SourceRef(log.path, line),
    )


def _action_fields(item: SyntaxTreeNode, log: ProblemLog) -> dict[str, tuple[int, str]]:
    fields: dict[str, tuple[int, str]] = {}
    sublists = [child for child in item.children if child.type == "bullet_list"]
    for sub in sublists[:1]:
        for field_item in sub.children:
            name, sep, value = item_text(field_item).partition(":")
            name = name.strip()
            if not sep or name not in ACTION_FIELDS:
                log.add(
                    line_of(field_item),
                    t("check.action_field_unknown", name=name, allowed=", ".join(ACTION_FIELDS)),
                )
                continue
            fields[name] = (line_of(field_item), " ".join(value.split()))
    return fields


def check_graph(scenario: Scenario, log: ProblemLog) -> None:
    """Dangling ``next``, duplicate or unreachable nodes, and nodes that can never end."""
    by_id: dict[str, Node] = {}
    for node in scenario.nodes:
        if node.id in by_id:
            log.add(node.source.line, t("check.node_id_repeated", node=node.id))
        by_id[node.id] = node
    if scenario.start and scenario.start not in by_id:
        log.add(scenario.source.line, t("check.start_unknown", start=scenario.start))
        return
    for node in scenario.nodes:
        for action in node.actions:
            if action.next and action.next not in by_id:
                log.add(action.source.line, t("check.next_unknown", next=action.next))
    if not any(node.is_end for node in scenario.nodes):
        log.add(
            scenario.source.line,
            t("check.scenario_no_end", scenario=scenario.id),
        )
    reachable = _reachable(scenario.start, by_id)
    for node in scenario.nodes:
        if node.id not in reachable:
            log.add(node.source.line, t("check.node_unreachable", node=node.id, start=scenario.start))
    ending = _can_end(by_id)
    for node_id in sorted(reachable - ending, key=lambda i: by_id[i].source.line):
        log.add(
            by_id[node_id].source.line,
            t("check.node_in_loop", node_id=node_id),
        )


def _reachable(start: str, by_id: dict[str, Node]) -> set[str]:
    seen: set[str] = set()
    stack = [start] if start in by_id else []
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        stack.extend(a.next for a in by_id[node_id].actions if a.next in by_id)
    return seen


def _can_end(by_id: dict[str, Node]) -> set[str]:
    """Nodes from which some path reaches an end node (fixed point, backwards)."""
    ending = {node_id for node_id, node in by_id.items() if node.is_end}
    changed = True
    while changed:
        changed = False
        for node_id, node in by_id.items():
            if node_id not in ending and any(a.next in ending for a in node.actions):
                ending.add(node_id)
                changed = True
    return ending
