"""extract, complete, terminate and solve_captcha; plus the extraction the loop also uses at the end.

complete and terminate only report: the loop decides what they mean for the run (a second LLM check
for complete, error codes for terminate).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from agent.actions.base import ActionContext, AnswerError, handler
from agent.llm import extract_json
from agent.prompts import extract_messages
from agent.schemas import ActionResult, PlannedAction


def schema_validator(schema: Any) -> Validator | None:
    """A validator for a JSON-schema dict; lists and None describe the shape only loosely, no check.

    Raises jsonschema.SchemaError when the dict is not a valid schema.
    """
    if not isinstance(schema, dict):
        return None
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def extraction_parser(schema: Any) -> Callable[[str], Any]:
    """Parse an extraction answer; a schema violation raises ValueError naming the field."""
    validator = schema_validator(schema)

    def parse(text: str) -> Any:
        data = extract_json(text)
        error = best_match(validator.iter_errors(data)) if validator else None
        if error is not None:
            raise ValueError(f"the data does not match the schema at {error.json_path}: {error.message}")
        return data

    return parse


async def extract_data(ctx: ActionContext) -> Any:
    """Ask the LLM for the task's data from the current page (raises AnswerError or LLMError)."""
    page, images = await ctx.observe()
    schema = ctx.task.data_extraction_schema
    messages = extract_messages(goal=ctx.task.prompt, page=page, schema=schema)
    return await ctx.ask(messages, extraction_parser(schema), images)


@handler("extract")
async def extract(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    try:
        return ActionResult.ok(data=await extract_data(ctx))
    except AnswerError as exc:
        return ActionResult.fail("extraction_failed", str(exc))


@handler("complete")
async def complete(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    return ActionResult.ok(data=action.data)


@handler("terminate")
async def terminate(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    return ActionResult.ok(data={"error_code": action.error_code} if action.error_code else None)


@handler("solve_captcha")
async def solve_captcha(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    return ActionResult.fail("unsupported", "captcha solving is not supported")
