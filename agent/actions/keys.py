"""Key names as models write them ("ENTER", "ctrl", "Page_Down", "ArrowLeft") → Playwright's spelling.

OpenAI's computer tool sends a list (`["CTRL", "A"]`), Anthropic's an xdotool string (`"ctrl+a"`,
`"Return"`), UI-TARS a space-separated one (`"ctrl a"`), skyvern-1.0's planner a "+"-joined one
(`"Control+Enter"`). All of them end up as one Playwright combo such as `"Control+a"`.
"""

from __future__ import annotations

_MODIFIERS = {
    "control": "Control",
    "ctrl": "Control",
    "controll": "Control",
    "controlr": "Control",
    "alt": "Alt",
    "altl": "Alt",
    "altr": "Alt",
    "option": "Alt",
    "shift": "Shift",
    "shiftl": "Shift",
    "shiftr": "Shift",
    "meta": "Meta",
    "metal": "Meta",
    "metar": "Meta",
    "cmd": "Meta",
    "command": "Meta",
    "super": "Meta",
    "superl": "Meta",
    "superr": "Meta",
    "win": "Meta",
    "windows": "Meta",
}

KEY_NAMES = {
    **_MODIFIERS,
    "enter": "Enter",
    "return": "Enter",
    "kpenter": "Enter",
    "tab": "Tab",
    "escape": "Escape",
    "esc": "Escape",
    "space": " ",
    "spacebar": " ",
    "backspace": "Backspace",
    "delete": "Delete",
    "del": "Delete",
    "insert": "Insert",
    "arrowdown": "ArrowDown",
    "arrowup": "ArrowUp",
    "arrowleft": "ArrowLeft",
    "arrowright": "ArrowRight",
    "down": "ArrowDown",
    "up": "ArrowUp",
    "left": "ArrowLeft",
    "right": "ArrowRight",
    "pagedown": "PageDown",
    "pgdn": "PageDown",
    "next": "PageDown",
    "pageup": "PageUp",
    "pgup": "PageUp",
    "prior": "PageUp",
    "home": "Home",
    "end": "End",
    "capslock": "CapsLock",
    **{f"f{number}": f"F{number}" for number in range(1, 25)},
    **{f"kp{digit}": f"Numpad{digit}" for digit in range(10)},
}


def playwright_key(name: str) -> str:
    """One key in Playwright's spelling; a name it does not know is passed on as written."""
    stripped = name.strip()
    if stripped == "":
        return " " if name else ""
    alias = stripped.lower().replace("_", "").replace("-", "")
    return KEY_NAMES.get(alias, stripped)


def combo(keys: list[str]) -> str:
    """Keys pressed together → one Playwright combo: ["CTRL", "A"] → "Control+a".

    A letter next to a modifier is lower-cased: "Control+A" would otherwise also send a capital A.
    """
    names = [playwright_key(key) for key in keys if key != ""]
    if any(name in _MODIFIERS.values() for name in names) and len(names) > 1:
        names = [name.lower() if len(name) == 1 else name for name in names]
    return "+".join(names)


def split_keys(text: str, *, spaces: bool = False) -> list[str]:
    """A combo written as one string ("ctrl+a", "Control+Enter"; with `spaces`, "ctrl a") → its keys."""
    if text.strip() in ("+", ""):
        return [text.strip() or " "]
    separator = " " if spaces and "+" not in text else "+"
    return [part.strip() for part in text.split(separator) if part.strip()] or [text]


def normalize_key(key: str) -> str:
    """A combo written as one string → Playwright's spelling ("ctrl+enter" → "Control+Enter")."""
    return combo(split_keys(key))
