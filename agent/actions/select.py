"""select_option: native <select> elements and custom (ARIA) dropdowns."""

from __future__ import annotations

from playwright.async_api import Locator

from agent.actions.base import ACTION_TIMEOUT_MS, ActionContext, element_kind, handler, locate
from agent.actions.options import best_match, click_matching_option, document_root, normalize, visible_options
from agent.schemas import ActionResult, PlannedAction, SelectOption


@handler("select_option")
async def select_option(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    option = action.option or SelectOption(index=0)
    kind = await element_kind(locator)
    if kind["tag"] == "select":
        return await _select_native(locator, option)
    return await _select_custom(ctx, locator, option, kind["controls"])


def _pick_native(options: list[dict[str, str]], wanted: SelectOption) -> int | None:
    """Index of the <option> the model means: by value, then label, then position."""
    if wanted.value is not None:
        exact = [i for i, o in enumerate(options) if o["value"] == wanted.value]
        if exact:
            return exact[0]
    for text in (wanted.label, wanted.value):
        if text is not None:
            found = best_match([o["label"] for o in options], text)
            if found is not None:
                return found
    if wanted.index is not None and 0 <= wanted.index < len(options):
        return wanted.index
    return None


async def _select_native(locator: Locator, wanted: SelectOption) -> ActionResult:
    options = await locator.evaluate(
        "el => Array.from(el.options).map(o => ({value: o.value, label: (o.label || o.text).trim()}))"
    )
    index = _pick_native(options, wanted)
    if index is None:
        labels = ", ".join(o["label"] for o in options[:30])
        return ActionResult.fail(
            "option_not_found", f"no option matches {_describe(wanted)}; options: {labels}"
        )
    await locator.select_option(index=index, timeout=ACTION_TIMEOUT_MS)
    chosen = options[index]
    if await locator.input_value() != chosen["value"]:
        return ActionResult.fail("value_not_set", f"the select did not keep {chosen['label']!r}")
    return ActionResult.ok(data={"value": chosen["value"], "label": chosen["label"]})


async def _select_custom(
    ctx: ActionContext, trigger: Locator, wanted: SelectOption, controls: str
) -> ActionResult:
    """Open the dropdown, click the matching option, then check the trigger shows it."""
    await trigger.click(timeout=ACTION_TIMEOUT_MS)
    root = await document_root(trigger, ctx.page)
    chosen = None
    for text in (wanted.label, wanted.value):
        if text is not None and chosen is None:
            chosen = await click_matching_option(root, text, controls)
    if chosen is None and wanted.index is not None:
        chosen = await _click_nth_option(root, wanted.index, controls)
    if chosen is None:
        return ActionResult.fail("option_not_found", f"no visible option matches {_describe(wanted)}")
    # Widgets show the choice in the trigger or right beside it (a sibling label), so read both.
    shown = await trigger.evaluate(
        "el => [el.value || '', el.innerText || '', (el.parentElement || el).innerText || ''].join(' ')"
    )
    if normalize(chosen) not in normalize(shown):
        return ActionResult.fail("value_not_set", f"clicked {chosen!r} but the dropdown does not show it")
    return ActionResult.ok(data={"label": chosen})


async def _click_nth_option(root: Locator, index: int, controls: str) -> str | None:
    candidates, shown = await visible_options(root, controls)
    if not 0 <= index < len(shown):
        return None
    await candidates.nth(int(shown[index]["index"])).click(timeout=ACTION_TIMEOUT_MS)
    return shown[index]["text"]


def _describe(option: SelectOption) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in option.model_dump(exclude_none=True).items())
