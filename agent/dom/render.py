"""Render a snapshot as the terse pseudo-HTML the LLM reads, one element or text per line."""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.dom.model import Element, TextLine

VOID_TAGS = frozenset({"input", "select", "textarea"})
NATIVE_TAGS = frozenset({"a", "button", "input", "select", "textarea", "summary", "label", "option"})
# Order in which attributes are written; anything else in attrs is left out of the prompt.
ATTR_ORDER = (
    "type", "icon", "name", "placeholder", "value", "href", "checked", "selected", "expanded", "pressed",
    "valuenow", "disabled", "readonly", "required", "multiple", "accept", "min", "max", "contenteditable",
)  # fmt: skip
DEFAULT_TYPES = frozenset({"text"})
CHOICE_TYPES = frozenset({"checkbox", "radio"})
UNSET_IS_FALSE = frozenset({"checked", "selected"})
STATE_ATTRS = ("checked", "selected", "expanded", "pressed")
MAX_PROMPT_OPTIONS = 25
BARE_VALUE = re.compile(r"[\w\-./:@#]+")
ELEMENT_START = re.compile(r"\d+<")
SECTION_BELOW = "-- below the visible area --"
SECTION_ABOVE = "-- above the visible area --"


def _quote(value: str) -> str:
    if BARE_VALUE.fullmatch(value):
        return value
    return '"' + value.replace('"', "'") + '"'


def _attr(key: str, value: str | bool) -> str:
    return key if value is True else f"{key}={_quote(str(value))}"


def _tag(element: Element) -> str:
    """Custom widgets show their role as the tag: `<combobox>` says more than `<div>`; a checkbox or radio
    button (or the label that holds one) shows its type: `<checkbox checked>I agree`."""
    if element.tag in ("input", "label") and element.attrs.get("type") in CHOICE_TYPES:
        return str(element.attrs["type"])
    if element.tag not in NATIVE_TAGS and element.role:
        return element.role
    return element.tag


def _attrs(element: Element, tag: str) -> list[str]:
    parts = []
    for key in ATTR_ORDER:
        value = element.attrs.get(key)
        if value is None or value == "" or value is False:
            continue
        if key == "type" and (value in DEFAULT_TYPES or tag != "input" and element.tag != "label"):
            continue
        if key == "type" and tag in CHOICE_TYPES or key in UNSET_IS_FALSE and value == "false":
            continue  # the tag says the type; an unchecked box reads the same whether native or ARIA
        if key == "name" and (element.label or element.attrs.get("placeholder") or element.text):
            continue  # form names are often machine ids; a label or placeholder says more
        parts.append(_attr(key, value))
    if element.tag not in NATIVE_TAGS and element.role and tag != element.role:
        parts.insert(0, _attr("role", element.role))
    return parts


def _options(element: Element) -> str:
    shown = [
        o.label + ("*" if o.selected else "") + (" (disabled)" if o.disabled else "")
        for o in element.options[:MAX_PROMPT_OPTIONS]
    ]
    more = element.option_count - len(shown)
    return " | ".join(shown) + (f" | …{more} more" if more > 0 else "")


def element_line(element: Element) -> str:
    tag = _tag(element)
    attrs = _attrs(element, tag)
    body = element.text
    label = element.label
    if tag == "select":
        body = _options(element)
    elif not body and tag not in VOID_TAGS:
        body, label = label, ""
    if label and label != element.attrs.get("placeholder") and label not in body:
        attrs.insert(0, _attr("label", label))
    head = f"{element.id}<{' '.join([tag, *attrs])}>"  # "12<button>": the id, then the element
    if tag in VOID_TAGS and tag != "select":  # their content is the value attribute
        return head
    return head + body  # one element per line, so no closing tag is needed


def _inside(inner: Element, outer: Element) -> bool:
    ox, oy, ow, oh = outer.rect
    x, y, w, h = inner.rect
    return ow > 0 and oh > 0 and x >= ox - 1 and y >= oy - 1 and x + w <= ox + ow + 1 and y + h <= oy + oh + 1


def _merge_wrappers(nodes: Sequence[Element | TextLine]) -> list[Element | TextLine]:
    """Leave out an element that only wraps one listed element (a datepicker's `<td>` around its day link, a
    tab's `<li>` around its `<a>`): it has no text of its own (or only its child's, through a label) and
    the next element lies inside it, while the one after does not. Clicking the inner element reaches the
    wrapper's handlers too; the wrapper's state (selected, expanded...) and link are shown on the inner one."""
    out: list[Element | TextLine] = []
    carried: dict[str, str | bool] = {}
    for index, node in enumerate(nodes):
        if isinstance(node, Element) and carried:
            node = node.model_copy(update={"attrs": {**carried, **node.attrs}})
            carried = {}
        child = nodes[index + 1] if index + 1 < len(nodes) else None
        after = nodes[index + 2] if index + 2 < len(nodes) else None
        if (
            isinstance(node, Element)
            and isinstance(child, Element)
            and not node.text
            and node.tag not in VOID_TAGS
            and node.label in ("", child.text, child.label)
            and node.in_overlay == child.in_overlay
            and _inside(child, node)
            and not (isinstance(after, Element) and _inside(after, node))
        ):
            carried = {k: node.attrs[k] for k in (*STATE_ATTRS, "href") if k in node.attrs}
            continue
        out.append(node)
    return out


def text_line(text: TextLine) -> str:
    line = ("#" * text.heading + " " if text.heading else "") + text.text
    # Only element lines start with a number and "<"; page text that happens to ("5<10") is set off.
    return " " + line if ELEMENT_START.match(line) else line


def _section(node: Element | TextLine) -> int:
    """0 on screen, 1 below it, 2 above it: the model reads what a person sees first."""
    if node.in_viewport:
        return 0
    return 2 if node.rect[1] + node.rect[3] <= 0 else 1


def _line(node: Element | TextLine) -> str:
    return element_line(node) if isinstance(node, Element) else text_line(node)


def render(nodes: Sequence[Element | TextLine], max_chars: int) -> tuple[str, int]:
    """Viewport-first lines under `max_chars`; overlay lines are always kept. Returns (text, lines cut).

    1. Sort nodes stably by section (on screen, below, above), keeping document order inside each.
    2. Reserve room for every overlay line (dialogs must never be cut).
    3. Fill the rest in order until a line does not fit; everything after it is cut (and not rendered,
       which keeps huge pages cheap).
    """
    ordered = sorted(_merge_wrappers(nodes), key=_section)
    overlay = {id(n): _line(n) for n in ordered if n.in_overlay}
    budget = max_chars - sum(len(line) + 1 for line in overlay.values())
    out: list[str] = []
    section, cut = 0, 0
    for node in ordered:
        line = overlay.get(id(node))
        if line is None:
            line = _line(node) if not cut else ""
            if cut or len(line) + 1 > budget:
                cut += 1
                continue
            budget -= len(line) + 1
        if _section(node) != section:
            section = _section(node)
            out.append(SECTION_BELOW if section == 1 else SECTION_ABOVE)
        out.append(line)
    if cut:
        out.append(f"-- {cut} more lines cut; scroll to see them --")
    return "\n".join(out), cut
