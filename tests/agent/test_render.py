"""The prompt's page text: short lines, nothing said twice, every element still reachable by an id."""

from __future__ import annotations

from agent.dom.model import Element, TextLine
from agent.dom.render import render


def el(id: str, tag: str, text: str = "", rect=(0, 0, 40, 20), **attrs) -> Element:
    return Element(id=id, tag=tag, text=text, attrs=attrs, rect=rect, in_viewport=True)


def text(value: str) -> TextLine:
    return TextLine(text=value, in_viewport=True)


def test_an_element_line_is_its_id_then_the_element_without_a_closing_tag() -> None:
    out, _ = render([el("7", "button", "Save"), el("8", "input", type="checkbox", checked=True)], 1_000)
    assert out.splitlines() == ["7<button>Save", "8<checkbox checked>"]


def test_a_wrapper_around_one_listed_element_is_left_out_and_its_state_moves_inside() -> None:
    # A datepicker cell: the click handler is on it, the text on its link.
    cell = el("1", "td", rect=(0, 0, 30, 30))
    link = el("2", "a", "8", rect=(2, 2, 26, 26), href="#")
    tab = el("3", "li", rect=(40, 0, 80, 30), selected="true")
    tab.role = "tab"
    tab_link = el("4", "a", "Tab #2", rect=(42, 2, 70, 26), href="#tabs-2")
    out, _ = render([cell, link, tab, tab_link], 1_000)
    assert out.splitlines() == ["2<a href=#>8", "4<a href=#tabs-2 selected=true>Tab #2"]


def test_a_container_of_several_elements_keeps_its_own_line() -> None:
    toolbar = el("1", "div", rect=(0, 0, 200, 30))
    out, _ = render([toolbar, el("2", "button", "Bold", rect=(0, 0, 50, 30)),
                     el("3", "button", "Italic", rect=(60, 0, 50, 30))], 1_000)  # fmt: skip
    assert out.splitlines() == ["1<div>", "2<button>Bold", "3<button>Italic"]


def test_page_text_that_looks_like_an_element_line_is_set_off() -> None:
    out, _ = render([text("5<10 is true"), el("6", "button", "OK")], 1_000)
    assert out.splitlines() == [" 5<10 is true", "6<button>OK"]


def test_a_link_around_a_button_keeps_its_address_on_the_button() -> None:
    out, _ = render(
        [el("1", "a", href="/next", rect=(0, 0, 90, 30)), el("2", "button", "Next", rect=(5, 5, 80, 20))],
        1_000,
    )
    assert out.splitlines() == ["2<button href=/next>Next"]
