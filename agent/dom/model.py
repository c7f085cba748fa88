"""What a page snapshot holds: interactable elements with stable ids, readable text, the prompt."""

from __future__ import annotations

from pydantic import BaseModel, Field

# The attribute snapshot() writes into the page; locate() finds elements by it.
ID_ATTRIBUTE = "data-sk-id"
# Marks iframe elements so a child Frame can be matched with the <iframe> that holds it.
FRAME_ATTRIBUTE = "data-sk-frame"


class ElementNotFound(LookupError):
    """The element id is not in the page any more (re-rendered, navigated away, or never existed)."""


class FrameInfo(BaseModel):
    index: int = 0  # 0 is the main frame; children follow in document order
    url: str = ""
    name: str = ""


class Option(BaseModel):
    label: str
    value: str
    selected: bool = False
    disabled: bool = False


class Element(BaseModel):
    """One interactable element. `rect` is (x, y, width, height) in main-viewport pixels."""

    id: str
    tag: str
    role: str = ""
    text: str = ""
    label: str = ""
    attrs: dict[str, str | bool] = Field(default_factory=dict)
    options: list[Option] = Field(default_factory=list)
    option_count: int = 0
    frame: FrameInfo = Field(default_factory=FrameInfo)
    rect: tuple[float, float, float, float] = (0, 0, 0, 0)
    in_viewport: bool = False
    in_overlay: bool = False

    @property
    def name(self) -> str:
        """What a person would call it: its visible text, else its label, else its placeholder."""
        return self.text or self.label or str(self.attrs.get("placeholder", ""))


class TextLine(BaseModel):
    """Readable text between elements; `heading` is 1-6 inside <h1>-<h6>, else 0."""

    text: str
    heading: int = 0
    frame: FrameInfo = Field(default_factory=FrameInfo)
    rect: tuple[float, float, float, float] = (0, 0, 0, 0)
    in_viewport: bool = False
    in_overlay: bool = False


class Snapshot(BaseModel):
    url: str
    title: str
    elements: list[Element]
    texts: list[TextLine]
    # Elements and texts in document order, which is the order prompt_text is built from.
    nodes: list[Element | TextLine] = Field(default_factory=list, exclude=True)
    prompt_text: str = ""
    cut_lines: int = 0  # lines left out of prompt_text to stay under max_chars
    blocked_by_overlay: bool = False
    viewport: tuple[int, int] = (0, 0)

    def element(self, element_id: str | int) -> Element | None:
        wanted = str(element_id)
        return next((e for e in self.elements if e.id == wanted), None)
