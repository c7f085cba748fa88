"""The perfect policy (bench/oracle_policy.py) for MiniWoB++ tasks with menus, lists, trees, tabs and tables."""

from __future__ import annotations

import re
from typing import Any

from bench import oracle_policy
from bench.oracle_policy import El, Page, Unsolvable, _quoted, act, click

Actions = list[dict[str, Any]]


def click_menu(p: Page) -> Actions:
    """click-menu ("Select A>B>C": a jQuery UI menu, submenus open on hover) and click-menu-2 share a title."""
    if not p.utterance.startswith("Select "):
        return click_menu_button(p)
    path = p.utterance[len("Select ") :].split(">")
    items = {el.name: el for el in p.elements if el.tag == "menuitem"}
    for depth in range(len(path) - 1, -1, -1):  # the deepest item of the path that is open
        item = items.get(path[depth])
        if item is None:
            continue
        if depth == len(path) - 1:
            return [click(item, "final")]
        if p.done(f"open-{item.name}"):  # hovered, and still no submenu: the agent read the page too early
            raise Unsolvable(f"hovering {item.name!r} did not show its submenu")
        return [act("hover", item, f"open-{item.name}")]
    raise Unsolvable(f"no item of {path} in the menu")


def click_menu_button(p: Page) -> Actions:
    """click-menu-2: open the menu, then the item with the label, or with the icon, the instruction shows."""
    label, icon = _menu_target(p.utterance)
    menu = [el for el in p.elements if el.tag == "menuitem"]
    for item in menu:
        if label and item.name == label or icon and item.attrs.get("icon") == icon:
            return [click(item, "final")]
    submenus = [el for el in menu if el.attrs.get("icon") == "caret-1-e" and not p.done(f"sub{el.name}")]
    if submenus:  # the item may be in a submenu, which opens on hover
        return [act("hover", submenus[0], f"sub{submenus[0].name}")]
    if p.done("menu") and menu:
        raise Unsolvable(f"the menu has no item {label or icon!r}")
    return [click(p.one("button", "Menu"), "menu")]


def _menu_target(utterance: str) -> tuple[str, str]:
    if "labeled" in utterance:
        return _quoted(utterance, 1), ""
    icon = re.search(r"item with the \[icon: (\S+)\] icon", utterance)
    if icon is None:
        raise Unsolvable(f"the instruction does not show which icon: {utterance!r}")
    return "", icon.group(1)


def click_scroll_list(p: Page) -> Actions:
    wanted = re.match(r"Select (.*) from the scroll list", p.utterance).group(1).split(", ")
    options = [{"label": name} for name in wanted]
    return [act("select_option", p.one("select"), option=options), click(p.one("button", "Submit"), "final")]


def click_tab_2_hard(p: Page) -> Actions:
    target = _quoted(p.utterance)
    link = p.find("span", target)
    if link is not None:
        return [click(link, "final")]
    tabs = [el for el in p.elements if el.tag == "a" and el.attrs.get("href", "").startswith("#tabs-")]
    for tab in tabs:
        if tab.attrs.get("selected") != "true" and not p.done(f"tab{tab.name}"):
            return [click(tab, f"tab{tab.name}")]
    raise Unsolvable(f"no tab shows the link {target!r}")


def navigate_tree(p: Page) -> Actions:
    target = _quoted(p.utterance)
    items = [el for el in p.elements if el.tag == "li"]
    hit = next((el for el in items if el.name == target), None)
    if hit is not None:
        return [click(hit, "final")]
    for el in items:
        if _is_closed_folder(el) and not p.done(f"folder{el.id}"):
            return [click(el, f"folder{el.id}")]
    raise Unsolvable(f"no folder left to open to find {target!r}")


def _is_closed_folder(el: El) -> bool:
    return el.attrs.get("expanded") == "false"


def read_table(p: Page) -> Actions:
    key = re.search(r"Enter the value of (.+) into the text field", p.utterance).group(1)
    row = next((line for line in p.texts if line.startswith(f"{key} | ")), None)
    if row is None:
        raise Unsolvable(f"no table row for {key!r}")
    value = row.split(" | ", 1)[1]
    return [act("input_text", p.one("input"), text=value), click(p.one("button", "Submit"), "final")]


def click_collapsible_2(p: Page) -> Actions:
    target = _quoted(p.utterance)
    link = p.find("span", target)
    if link is not None:
        return [click(link, "final")]
    for section in (el for el in p.elements if el.tag == "tab" and el.name.startswith("Section")):
        tag = "sec" + section.name.rsplit("#", 1)[-1]
        if section.attrs.get("expanded") != "true" and not p.done(tag):
            return [click(section, tag)]
    raise Unsolvable(f"no section shows the link {target!r}")


def click_widget(p: Page) -> Actions:
    kind = _quoted(p.utterance)
    for el in p.elements:
        if kind in ("radio", "checkbox", "textarea", "button") and el.tag == kind:
            return [click(el, "final")]
        if kind == "text" and el.tag == "input" and el.attrs.get("type", "text") in ("text", "input"):
            return [click(el, "final")]
    raise Unsolvable(f"no {kind} widget on the page")


FIELDS = {"genre": "genre", "director": "director", "year": "year", "date": "year"}


def multi_layouts(p: Page) -> Actions:
    """multi-layouts and multi-orderings: three text fields, each named by a text next to it."""
    match = re.search(r"Search for (\S+) movies directed by (\S+) from year (\d+)", p.utterance)
    values = {"genre": match.group(1), "director": match.group(2), "year": match.group(3)}
    fields = _named_fields(p)
    if set(fields) != set(values):
        raise Unsolvable(f"could not tell the fields apart: {sorted(fields)}")
    typed = [act("input_text", fields[key], text=values[key]) for key in values]
    go = next((el for el in p.elements if el.name in ("Submit", "Search", "Go!")), None)
    if go is None:
        raise Unsolvable("no submit button")
    return [*typed, click(go, "final")]


def _named_fields(p: Page) -> dict[str, El]:
    """Each input with the field its label names; the label is the text before it, or after it when the
    texts follow the inputs (the last input is followed by a label, not by the button)."""
    rows: list[tuple[str, El | str]] = []
    for line in p.lines[1:]:
        el = next((e for e in p.elements if line.startswith(f"{e.id}<")), None)
        rows.append(("el", el) if el is not None else ("text", line))
    inputs = [i for i, (kind, item) in enumerate(rows) if kind == "el" and item.tag == "input"]
    if not inputs:
        return {}
    after = inputs[-1] + 1 < len(rows) and rows[inputs[-1] + 1][0] == "text"
    after = after and _field_of(str(rows[inputs[-1] + 1][1])) is not None
    out: dict[str, El] = {}
    for i in inputs:
        j = i + 1 if after else i - 1
        if 0 <= j < len(rows) and rows[j][0] == "text" and (key := _field_of(str(rows[j][1]))):
            out[key] = rows[i][1]  # type: ignore[assignment]
    return out


def _field_of(label: str) -> str | None:
    words = re.findall(r"[a-z]+", label.lower())
    keys = {FIELDS[w] for w in words if w in FIELDS}
    return keys.pop() if len(keys) == 1 else None


def _shared(mine: Any, theirs: Any, words: str) -> Any:
    """Some tasks share their title with another task: the instruction tells them apart."""

    def policy(p: Page) -> Actions:
        return mine(p) if words in p.utterance else theirs(p)

    return policy


POLICIES: dict[str, Any] = {
    "Click Menu Task": click_menu,  # click-menu and click-menu-2 both
    "Choose List Task": _shared(click_scroll_list, oracle_policy.choose_list, "from the scroll list"),
    "Click Tab Task": _shared(click_tab_2_hard, oracle_policy.click_tab, "Switch between the tabs"),
    "Navigate Tree Task": navigate_tree,
    "Read Table Task": read_table,
    "Click Collapsible Task": _shared(
        click_collapsible_2, oracle_policy.click_collapsible, "Expand the sections"
    ),
    "Click Widget Task": click_widget,
    "Multi Orderings Task": multi_layouts,
    "Multi Layouts Task": multi_layouts,
}
