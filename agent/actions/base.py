"""What every action handler gets (ActionContext), the registry, and small page helpers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from playwright.async_api import Locator, Page

from agent import dom
from agent.actions.settle import settle_page
from agent.llm import LLMClient
from agent.prompts import PageView
from agent.schemas import ActionResult, AgentTask, PlannedAction

# Actions fail fast: a missing element should cost seconds, not Playwright's 30 s default.
ACTION_TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 30_000


class Asker(Protocol):
    """Sends messages to the LLM and returns `parse(answer)`; the loop implements it.

    It records artifacts and tokens, and asks once more (with the parse error) when `parse` raises
    ValueError; if the second answer fails too it raises `agent.actions.base.AnswerError`. `llm` sends
    this one call to another model (the run's secondary model for small helper calls).
    """

    async def __call__(
        self,
        messages: list[dict[str, Any]],
        parse: Callable[[str], Any],
        images: list[bytes] | None = None,
        *,
        llm: LLMClient | None = None,
    ) -> Any: ...


class AnswerError(Exception):
    """The LLM's answer stayed unusable after one correction."""


@dataclass
class ActionContext:
    session: Any  # agent.browser session: .page, .context, .downloads
    task: AgentTask
    llm: LLMClient
    ask: Asker
    # Fresh view of the page (text for prompts + screenshots for vision models).
    observe: Callable[[], Awaitable[tuple[PageView, list[bytes]]]]
    allow_hosts: list[str] = field(default_factory=list)
    work_dir: Path = Path(".")
    totp_code: Callable[[], Awaitable[str | None]] | None = None

    @property
    def page(self) -> Page:
        return self.session.page


Handler = Callable[[ActionContext, PlannedAction], Awaitable[ActionResult]]
HANDLERS: dict[str, Handler] = {}


def handler(action_type: str) -> Callable[[Handler], Handler]:
    """Register the decorated coroutine as the handler for `action_type`."""

    def register(func: Handler) -> Handler:
        HANDLERS[action_type] = func
        return func

    return register


async def locate(ctx: ActionContext, element_id: str | None) -> Locator:
    if not element_id:
        raise dom.ElementNotFound("this action needs an element id")
    return await dom.locate(ctx.page, element_id)


async def settle(page: Page, timeout_ms: int = 10_000) -> None:
    """Wait until the action's effects settle: a quiet DOM, the requests it started, a navigation's DOM
    (agent/actions/settle.py); a static page costs one short quiet window, not a fixed sleep."""
    await settle_page(page, timeout_ms)


async def element_kind(locator: Locator) -> dict[str, Any]:
    """Tag, input type and ARIA role of the element, to pick the right strategy."""
    return await locator.evaluate(
        """el => ({tag: el.tagName.toLowerCase(), type: (el.getAttribute('type') || '').toLowerCase(),
                   role: (el.getAttribute('role') || '').toLowerCase(),
                   controls: el.getAttribute('aria-controls') || el.getAttribute('aria-owns') || ''})"""
    )
