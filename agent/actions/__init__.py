"""Action handlers, one per Skyvern action type, registered by name; `run_action` never raises.

The coordinate engines' mouse and keyboard actions have their own registry (agent.actions.coordinates).
"""

from __future__ import annotations

import logging

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

# The handler modules register themselves on import.
from agent.actions import element, page, select, terminal, upload  # noqa: F401
from agent.actions.base import HANDLERS, ActionContext, AnswerError, Asker, handler
from agent.actions.coordinates import COORDINATE_HANDLERS, coordinate_record, run_coordinate_action
from agent.actions.settle import watching_requests
from agent.actions.terminal import extract_data, extraction_parser, schema_validator
from agent.dom import ElementNotFound
from agent.llm import LLMError
from agent.schemas import ActionResult, PlannedAction

log = logging.getLogger(__name__)

__all__ = [
    "COORDINATE_HANDLERS",
    "HANDLERS",
    "ActionContext",
    "AnswerError",
    "Asker",
    "coordinate_record",
    "extract_data",
    "extraction_parser",
    "first_line",
    "handler",
    "run_action",
    "run_coordinate_action",
    "schema_validator",
]


async def run_action(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    """Run `action` with its handler and turn every failure into a failed ActionResult."""
    func = HANDLERS.get(action.action_type)
    if func is None:
        return ActionResult.fail("unsupported", f"no handler for {action.action_type}")
    try:
        with watching_requests(getattr(ctx.session, "page", None)):  # what settle waits for (settle.py)
            return await func(ctx, action)
    except ElementNotFound as exc:
        return ActionResult.fail("element_not_found", str(exc) or f"no element with id {action.id}")
    except PlaywrightTimeoutError as exc:
        return ActionResult.fail("timeout", first_line(exc))
    except PlaywrightError as exc:
        return ActionResult.fail("browser_error", first_line(exc))
    except LLMError as exc:
        return ActionResult.fail("llm_error", str(exc))
    except Exception as exc:  # a handler bug must not take the run down with it
        log.exception("action %s crashed", action.action_type)
        return ActionResult.fail("internal_error", f"{type(exc).__name__}: {exc}")


def first_line(exc: Exception) -> str:
    # Playwright messages carry a multi-line call log; the first line is the useful part.
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
