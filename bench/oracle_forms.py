"""The perfect policy (bench/oracle_policy.py) for MiniWoB++ tasks with forms, feeds and mailboxes."""

from __future__ import annotations

import re
from typing import Any

from bench.oracle_policy import El, Page, Unsolvable, _quoted, act, click, submit

Actions = list[dict[str, Any]]
# The posts' buttons are pictures; the agent names them by the picture (`icon=like`, `icon=like-hover`).
POST_BUTTONS = {"Reply": "reply", "Retweet": "retweet", "Like": "like", "Share": "share"}


def _icon(el: El, name: str) -> bool:
    return re.split(r"[-_.]", el.attrs.get("icon", ""))[0] == name


def _posts(p: Page) -> list[tuple[str, list[El]]]:
    """(header text, the elements after it) for each post of a feed, whose header is "Name @user ..."."""
    posts: list[tuple[str, list[El]]] = []
    elements = iter(p.elements)
    for line in p.lines:
        if line == p.utterance:  # "... posts by @user ..." is no post
            continue
        if line in p.texts:
            if "@" in line:
                posts.append((line, []))
        elif posts:
            posts[-1][1].append(next(el for el in elements if line.startswith(f"{el.id}<")))
    return posts


def _by(user: str, header: str) -> bool:
    return re.search(rf"(?<!\S){re.escape(user)}(?!\S)", header) is not None


def social_media(p: Page) -> Actions:
    user = re.search(r"For the user (\S+),", p.utterance).group(1)
    wanted = _quoted(p.utterance)
    for header, controls in _posts(p):
        if not _by(user, header):
            continue
        button = next((el for el in controls if _icon(el, POST_BUTTONS.get(wanted, "-"))), None)
        if button is not None:
            return [click(button, "final")]
        # Only one "more" menu is open at a time; its lower items may be listed below the visible area.
        item = next(
            (el for el in p.elements if el.tag == "li" and el.body in (wanted, f"{wanted} {user}")), None
        )
        if item is not None:
            return [click(item, "final")]
        more = next((el for el in controls if _icon(el, "more")), None)
        if more is None:  # the buttons of posts far down are not listed
            return [act("scroll", tag="scroll", direction="down")]
        return [click(more, "more")]
    raise Unsolvable(f"no post by {user}")


def social_media_some(p: Page) -> Actions:
    match = re.search(r'Click the "(.+)" button on (\d+) posts? by (\S+) and then', p.utterance)
    icon, count, user = POST_BUTTONS[match.group(1)], int(match.group(2)), match.group(3)
    posts = [controls for header, controls in _posts(p) if _by(user, header)][:count]
    if len(posts) < count:
        raise Unsolvable(f"fewer than {count} posts by {user}")
    if not all(any(_icon(el, icon) for el in controls) for controls in posts):
        return [act("scroll", tag="scroll", direction="down")]  # the buttons of posts far down are not listed
    clicks = [
        click(next(el for el in controls if _icon(el, icon)), f"post{n}") for n, controls in enumerate(posts)
    ]
    return [*clicks, submit(p)]


def email_inbox(p: Page) -> Actions:
    """Open the sender's email, then delete, star, reply or forward it from the opened email."""
    name = re.search(r"Find the email by (\S+) and", p.utterance).group(1)
    if not p.done("open"):
        row = next((el for el in p.elements if el.tag == "div" and el.body.startswith(name + " ")), None)
        if row is None:
            raise Unsolvable(f"no email by {name} in the inbox")
        return [click(row, "open")]
    if "trash icon" in p.utterance:
        return [click(next(el for el in p.elements if _icon(el, "delete")), "final")]
    if "star icon" in p.utterance:
        return [click(next(el for el in p.elements if _icon(el, "star")), "final")]
    reply = "reply to them" in p.utterance
    if not p.done("compose"):
        return [click(p.one(name="Reply" if reply else "Forward"), "compose")]
    send = next(el for el in p.elements if _icon(el, "send"))
    if reply:
        return [act("input_text", p.one("textarea"), text=_quoted(p.utterance)), click(send, "final")]
    to = re.search(r"forward that email to (\S+)\.$", p.utterance).group(1)
    return [act("input_text", p.one("input"), text=to), click(send, "final")]


def enter_text(p: Page) -> Actions:
    """enter-text, enter-text-dynamic and enter-text-2 (which asks for the text in one case)."""
    text = _quoted(p.utterance)
    if "all lower case" in p.utterance:
        text = text.lower()
    elif "all upper case" in p.utterance:
        text = text.upper()
    return [act("input_text", p.one("input"), text=text), submit(p)]


def form_sequence(p: Page) -> Actions:
    match = re.search(r"Select (-?\d+) with the slider, click the (\d)\w\w checkbox", p.utterance)
    target, nth = int(match.group(1)), int(match.group(2))
    # The slider is the nameless control; the line after it shows its value.
    slider = next(el for el in p.elements if el.tag == "div" and not el.name)
    value = int(p.lines[next(n for n, line in enumerate(p.lines) if line.startswith(f"{slider.id}<")) + 1])
    key = "ArrowRight" if target > value else "ArrowLeft"
    keys = [act("keypress", slider, "slide", key=key) for _ in range(abs(target - value))]
    boxes = [el for el in p.elements if el.tag == "checkbox"]
    ticks = [act("checkbox", el, is_checked=n == nth) for n, el in enumerate(boxes, 1)]
    return [*keys, *ticks, submit(p)]


def login_user_popup(p: Page) -> Actions:
    """A popup may open when a field is focused; it is dismissed with Cancel, never OK."""
    cancel = p.find("button", "Cancel")
    if cancel is not None:
        return [click(cancel, "cancel")]
    user, password = _quoted(p.utterance, 0), _quoted(p.utterance, 1)
    fields = [el for el in p.elements if el.tag == "input"]
    name = next(el for el in fields if el.attrs.get("type") != "password")
    secret = next(el for el in fields if el.attrs.get("type") == "password")
    return [
        act("input_text", name, text=user),
        act("input_text", secret, text=password),
        submit(p, "OK"),
    ]


def phone_book(p: Page) -> Actions:
    match = re.search(r"Find (.+) in the contact book and click on their (phone|email|address)", p.utterance)
    if f"## {match.group(1)}" not in p.lines:  # the contact's name is the page's heading
        return [click(p.one("a", ">"), "next")]
    field = match.group(2).capitalize() + ":"  # "Phone:", then the number's link on the next line
    after = p.lines[p.lines.index(field) + 1]
    return [click(next(el for el in p.elements if after.startswith(f"{el.id}<")), "final")]


def use_spinner(p: Page) -> Actions:
    value = re.search(r"Select (-?\d+) with the spinner", p.utterance).group(1)
    return [act("input_text", p.one("input"), text=value), submit(p)]


POLICIES: dict[str, Any] = {
    "Social Media Task": social_media,
    "Social Media All Task": social_media_some,  # sic: social-media-some's own title
    "Email Inbox Task": email_inbox,  # email-inbox and email-inbox-reply
    "Enter Text Task": enter_text,  # enter-text and enter-text-2
    "Enter Dynamic Text Task": enter_text,
    "Form Sequence Task": form_sequence,
    "Login User Popup Task": login_user_popup,
    "Phone Book Task": phone_book,
    "Use Spinner Task": use_spinner,
}
