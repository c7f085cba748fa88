"""Inputs whose value has a format of its own (date, time, month, week, colour, range).

Typing "03/15/2024" key by key into `<input type="date">` works in a browser's locale, but the value the page
reads is "2024-03-15", so comparing the value with the typed text is wrong, and clearing the field to retry
loses the date. These inputs are set in their own format and read back in it: `canonical` turns what the model
wrote into that format (or explains why it cannot), `same_value` compares two values in the type's own terms.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

FORMATTED_TYPES = frozenset({"date", "time", "datetime-local", "month", "week", "color", "range"})

_DATES = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%m-%d-%Y",
    "%d.%m.%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%A, %B %d, %Y",
    "%a, %b %d, %Y",
    "%m/%d/%y",
)
_TIMES = ("%H:%M", "%H:%M:%S", "%H:%M:%S.%f", "%I:%M %p", "%I:%M%p", "%I:%M:%S %p", "%I %p", "%I%p")
_MONTHS = ("%Y-%m", "%Y/%m", "%m/%Y", "%m-%Y", "%B %Y", "%b %Y", "%B, %Y")
_WEEK = re.compile(r"^(\d{4})\s*-?\s*W\s*(\d{1,2})$", re.IGNORECASE)
_WEEK_WORDS = re.compile(r"^week\s*(\d{1,2})\D+(\d{4})$", re.IGNORECASE)


class ValueFormatError(ValueError):
    """The text cannot be read as a value of the input's type."""


def _parse(text: str, formats: tuple[str, ...]) -> datetime | None:
    cleaned = re.sub(r"\s+", " ", text.strip()).replace(".,", ",")
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)  # "March 3rd, 2024"
    for fmt in formats:
        try:
            return datetime.strptime(cleaned, fmt)
        except ValueError:
            continue
    return None


def _date(text: str) -> date | None:
    parsed = _parse(text, _DATES)
    return parsed.date() if parsed else None


def _time(text: str) -> str | None:
    parsed = _parse(text.upper() if re.search(r"[ap]\.?m\.?", text, re.I) else text, _TIMES)
    if parsed is None:
        return None
    return _time_text(parsed.time())


def _time_text(value: time) -> str:
    text = value.strftime("%H:%M")
    if value.second or value.microsecond:
        text += value.strftime(":%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text


def _datetime_local(text: str) -> str | None:
    cleaned = text.strip()
    try:
        parsed = datetime.fromisoformat(cleaned.replace(" ", "T", 1))
        return f"{parsed.date().isoformat()}T{_time_text(parsed.time())}"
    except ValueError:
        pass
    # "03/15/2024 2:30 PM", "March 15, 2024, 14:30": try each split into a date part and a time part.
    words = cleaned.replace(",", ", ").split()
    for cut in range(1, len(words)):
        day = _date(" ".join(words[:cut]).rstrip(",").replace(" ,", ","))
        clock = _time(" ".join(words[cut:]).lstrip(", ").replace("at ", ""))
        if day and clock:
            return f"{day.isoformat()}T{clock}"
    return None


def _month(text: str) -> str | None:
    parsed = _parse(text, _MONTHS)
    if parsed:
        return parsed.strftime("%Y-%m")
    day = _date(text)
    return day.strftime("%Y-%m") if day else None


def _week(text: str) -> str | None:
    cleaned = text.strip()
    match = _WEEK.match(cleaned)
    if match:
        year, week = int(match[1]), int(match[2])
    elif match := _WEEK_WORDS.match(cleaned):
        week, year = int(match[1]), int(match[2])
    elif day := _date(cleaned):
        year, week, _ = day.isocalendar()
    else:
        return None
    return f"{year:04d}-W{week:02d}" if 1 <= week <= 53 else None


def _number(text: str) -> str | None:
    cleaned = text.strip().replace(",", "").rstrip("%")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return str(int(number)) if number.is_integer() else str(number)


_EXAMPLES = {
    "date": "2024-03-15",
    "time": "14:30",
    "datetime-local": "2024-03-15T14:30",
    "month": "2024-03",
    "week": "2024-W11",
    "color": "#1a2b3c",
    "range": "a number",
}
_READERS = {
    "date": lambda text: d.isoformat() if (d := _date(text)) else None,
    "time": _time,
    "datetime-local": _datetime_local,
    "month": _month,
    "week": _week,
    "range": _number,
}


def canonical(input_type: str, text: str) -> str:
    """`text` in the value format of `<input type=input_type>`; raises ValueFormatError if unreadable.

    Colours are left as written (a CSS colour name is resolved by the browser, see `agent.actions.element`).
    """
    if input_type == "color":
        return text.strip()
    if not text.strip():
        return ""
    value = _READERS[input_type](text)
    if value is None:
        raise ValueFormatError(
            f"cannot read {text!r} as a {input_type} value (for example {_EXAMPLES[input_type]})"
        )
    return value


def same_value(input_type: str, wanted: str, actual: str) -> bool:
    """Whether the field's value `actual` is the value `wanted`, in the type's own terms."""
    if input_type == "range":
        try:
            return abs(float(wanted) - float(actual)) < 1e-9
        except ValueError:
            return False
    if input_type in ("time", "datetime-local"):
        # "14:30" and "14:30:00" name the same time.
        return re.sub(r":00(\.000)?$", "", wanted) == re.sub(r":00(\.000)?$", "", actual)
    return wanted.casefold() == actual.casefold()
