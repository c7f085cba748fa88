"""select_option: native <select> elements and custom (ARIA) dropdowns."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Locator

from agent.actions.base import ACTION_TIMEOUT_MS, ActionContext, element_kind, handler, locate
from agent.actions.options import best_match, click_matching_option, document_root, normalize, visible_options
from agent.schemas import ActionResult, PlannedAction, SelectOption


@handler("select_option")
async def select_option(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    wanted = action.options or [action.option or SelectOption(index=0)]
    kind = await element_kind(locator)
    if kind["tag"] == "select":
        if len(wanted) > 1:
            return await _select_native_many(locator, wanted)
        return await _select_native(locator, wanted[0])
    if len(wanted) > 1 or await locator.get_attribute("aria-multiselectable") == "true":
        return await _select_in_listbox(ctx, locator, wanted, kind)
    return await _select_custom(ctx, locator, wanted[0], kind["controls"])


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


async def _select_native_many(locator: Locator, wanted: list[SelectOption]) -> ActionResult:
    """Select exactly the listed options of a <select multiple>, then read the selection back."""
    listed = await locator.evaluate(
        """el => ({multiple: el.multiple,
                   options: Array.from(el.options).map(o => ({value: o.value, label: (o.label || o.text).trim()}))})"""
    )
    options = listed["options"]
    if not listed["multiple"]:
        return ActionResult.fail("wrong_element", "this list takes a single option: choose one")
    indexes = [_pick_native(options, option) for option in wanted]
    missing = [_describe(option) for option, index in zip(wanted, indexes, strict=True) if index is None]
    if missing:
        labels = ", ".join(o["label"] for o in options[:30])
        return ActionResult.fail(
            "option_not_found", f"no option matches {'; '.join(missing)}; options: {labels}"
        )
    chosen = sorted({index for index in indexes if index is not None})
    await locator.select_option(index=chosen, timeout=ACTION_TIMEOUT_MS)
    selected = await locator.evaluate("el => Array.from(el.options).flatMap((o, i) => o.selected ? [i] : [])")
    if selected != chosen:
        shown = ", ".join(options[i]["label"] for i in selected) or "nothing"
        return ActionResult.fail("value_not_set", f"the list kept {shown}")
    return ActionResult.ok(
        data={
            "values": [options[i]["value"] for i in chosen],
            "labels": [options[i]["label"] for i in chosen],
        }
    )


# Whether each option reads as selected; None when the widget marks no option either way (cannot be told).
_SELECTED_STATES = """els => {
  const marked = els.some(e => e.hasAttribute('aria-selected') || e.hasAttribute('aria-checked'));
  return els.map(e => marked ? (e.getAttribute('aria-selected') === 'true'
                               || e.getAttribute('aria-checked') === 'true') : null);
}"""


async def _select_in_listbox(
    ctx: ActionContext, locator: Locator, wanted: list[SelectOption], kind: dict[str, Any]
) -> ActionResult:
    """Choose several options of an ARIA listbox (aria-multiselectable): click each one that is not
    selected yet, Ctrl-click the ones a plain click did not add, then check every one reads as selected."""
    if kind["role"] == "listbox":
        scope = locator
    else:  # a trigger that opens the list
        await locator.click(timeout=ACTION_TIMEOUT_MS)
        scope = await document_root(locator, ctx.page)
    candidates, shown = await visible_options(scope, "" if kind["role"] == "listbox" else kind["controls"])
    picks = [_pick_shown(shown, option) for option in wanted]
    missing = [_describe(option) for option, pick in zip(wanted, picks, strict=True) if pick is None]
    if missing:
        labels = ", ".join(d["text"] for d in shown[:30])
        return ActionResult.fail(
            "option_not_found", f"no visible option matches {'; '.join(missing)}; options: {labels}"
        )
    targets = sorted({int(shown[pick]["index"]) for pick in picks if pick is not None})
    states = await candidates.evaluate_all(_SELECTED_STATES)
    for index in targets:
        if states[index] is not True:
            await candidates.nth(index).click(timeout=ACTION_TIMEOUT_MS)
    states = await candidates.evaluate_all(_SELECTED_STATES)
    for index in targets:
        if states[index] is False:  # a plain click replaced the selection: add with Ctrl as in a native list
            await candidates.nth(index).click(timeout=ACTION_TIMEOUT_MS, modifiers=["ControlOrMeta"])
    states = await candidates.evaluate_all(_SELECTED_STATES)
    labels = [next(d["text"] for d in shown if int(d["index"]) == index) for index in targets]
    if any(states[index] is False for index in targets):
        kept = [d["text"] for d in shown if states[int(d["index"])]]
        return ActionResult.fail("value_not_set", f"the list shows {', '.join(kept) or 'nothing'} selected")
    return ActionResult.ok(data={"labels": labels})


def _pick_shown(shown: list[dict[str, str]], wanted: SelectOption) -> int | None:
    for field, text in (("text", wanted.label), ("value", wanted.value), ("text", wanted.value)):
        if text is not None:
            found = best_match([d[field] for d in shown], text)
            if found is not None:
                return found
    if wanted.index is not None and 0 <= wanted.index < len(shown):
        return wanted.index
    return None


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
