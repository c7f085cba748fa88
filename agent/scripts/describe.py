"""Describe the element an action is about to touch in terms that outlive this page load.

The agent finds elements by the ids its snapshot wrote into the page (agent.dom.ID_ATTRIBUTE); those are
gone on the next load. A script needs what a person would use instead: the role and accessible name, the
label, the placeholder, the visible text, the name/id attributes and a CSS path, read in the page at the
moment the action runs. `locator_candidates` turns a description into the locators a replay tries, most
robust first.
"""

from __future__ import annotations

import contextlib
from typing import Any

from playwright.async_api import Locator, Page

from agent import dom

# Computed in the page. The accessible name follows the common cases of the ARIA rules (aria-labelledby,
# aria-label, <label>, title/placeholder for fields, text for buttons and links); attributes written by the
# agent's snapshot are never part of a CSS path.
_DESCRIBE = """(el, agentAttrs) => {
  const clean = s => (s || '').replace(/\\s+/g, ' ').trim();
  const tag = el.tagName.toLowerCase();
  const type = (el.getAttribute('type') || '').toLowerCase();
  const byIds = ids => clean(ids.split(/\\s+/).map(id => {
    const ref = document.getElementById(id); return ref ? ref.textContent : ''; }).join(' '));
  // A label wrapping its control: its own words only, not the options or value of the control inside.
  const words = l => { const c = l.cloneNode(true);
    c.querySelectorAll('select, textarea, input, button, datalist').forEach(n => n.remove());
    return clean(c.textContent); };
  const labels = Array.from(el.labels || []).map(words).filter(Boolean);
  const label = labels[0] || '';
  let role = el.getAttribute('role') || '';
  if (!role) {
    if (tag === 'button' || (tag === 'input' && ['submit', 'button', 'reset', 'image'].includes(type))) role = 'button';
    else if (tag === 'a' && el.hasAttribute('href')) role = 'link';
    else if (tag === 'textarea') role = 'textbox';
    else if (tag === 'select') role = (el.multiple || el.size > 1) ? 'listbox' : 'combobox';
    else if (tag === 'input' && type === 'checkbox') role = 'checkbox';
    else if (tag === 'input' && type === 'radio') role = 'radio';
    else if (tag === 'input' && type === 'number') role = 'spinbutton';
    else if (tag === 'input' && ['', 'text', 'email', 'tel', 'url', 'search'].includes(type))
      role = el.hasAttribute('list') ? 'combobox' : 'textbox';
  }
  const text = ['input', 'select', 'textarea'].includes(tag) ? '' : clean(el.innerText || el.textContent);
  let name = '';
  if (el.getAttribute('aria-labelledby')) name = byIds(el.getAttribute('aria-labelledby'));
  if (!name) name = clean(el.getAttribute('aria-label'));
  if (!name && label) name = label;
  if (!name && tag === 'input' && ['submit', 'button', 'reset'].includes(type)) name = clean(el.value);
  if (!name && ['button', 'link'].includes(role)) name = text;
  if (!name) name = clean(el.getAttribute('title') || el.getAttribute('placeholder'));
  const esc = s => CSS.escape(s);
  const step = node => {
    const t = node.tagName.toLowerCase();
    if (node.id) return t + '#' + esc(node.id);
    const nm = node.getAttribute('name');
    if (nm && ['input', 'select', 'textarea', 'button'].includes(t)) return t + '[name="' + nm.replace(/"/g, '\\\\"') + '"]';
    const parent = node.parentElement;
    if (!parent) return t;
    const same = Array.from(parent.children).filter(c => c.tagName === node.tagName);
    return same.length > 1 ? t + ':nth-of-type(' + (same.indexOf(node) + 1) + ')' : t;
  };
  const parts = [];
  for (let node = el; node && node.nodeType === 1 && parts.length < 6; node = node.parentElement) {
    parts.unshift(step(node));
    if (node.id || node === document.body) break;
  }
  return {tag, type, role, name: name.slice(0, 200), label: label.slice(0, 200),
          placeholder: clean(el.getAttribute('placeholder')).slice(0, 200), text: text.slice(0, 200),
          name_attr: el.getAttribute('name') || '', id: el.id || '', css: parts.join(' > '),
          agent_attrs: agentAttrs.filter(a => el.hasAttribute(a)).length};
}"""

# Visible text longer than this makes a poor locator (a whole paragraph); role + name covers such cases.
MAX_TEXT_LOCATOR = 80
ROLES_WITH_NAMES = {
    "button", "link", "textbox", "combobox", "listbox", "checkbox", "radio", "spinbutton", "menuitem",
    "tab", "option", "switch", "searchbox", "slider",
}  # fmt: skip


async def describe_element(page: Page, element_id: str | None) -> dict[str, Any] | None:
    """The element's locator description, or None when it cannot be read (gone, detached frame)."""
    if not element_id:
        return None
    with contextlib.suppress(Exception):
        return await describe_locator(await dom.locate(page, element_id))
    return None


async def describe_locator(target: Locator) -> dict[str, Any]:
    """The description of the element `target` finds (raises what Playwright raises)."""
    found = await target.evaluate(_DESCRIBE, [dom.ID_ATTRIBUTE, dom.FRAME_ATTRIBUTE], timeout=2_000)
    found.pop("agent_attrs", None)
    found["candidates"] = locator_candidates(found)
    return found


def locator_candidates(description: dict[str, Any]) -> list[dict[str, str]]:
    """Locators to try, in priority order: role + name, label, placeholder, text, then CSS."""
    out: list[dict[str, str]] = []
    role, name = description.get("role") or "", description.get("name") or ""
    if role in ROLES_WITH_NAMES and name:
        out.append({"by": "role", "role": role, "name": name})
    if description.get("label"):
        out.append({"by": "label", "value": description["label"]})
    if description.get("placeholder"):
        out.append({"by": "placeholder", "value": description["placeholder"]})
    text = description.get("text") or ""
    if text and len(text) <= MAX_TEXT_LOCATOR and description.get("tag") not in ("form", "body", "div"):
        out.append({"by": "text", "value": text})
    if description.get("css"):
        out.append({"by": "css", "value": description["css"]})
    return out
