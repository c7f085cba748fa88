"""Skyvern 1.0.56's own page representation, for comparing prompt sizes on the same page (bench_tokens.py).

Nothing of Skyvern is copied here: its installed package (var/sdk, put there by scripts/test for the SDK
tests) is imported at run time. Only the scraper modules are real; every other module they import (its
settings, logging, tracing, database layers, packages not installed here) is replaced by an inert stand-in,
since building the element tree needs none of them. The page goes through the same calls a Skyvern step
makes before its action prompt:

1. `domUtils.js`'s `buildTreeFromBody` in the page (as SkyvernFrame.build_tree_from_body runs it);
2. the cleanup a step applies (`rect` removed; SVGs dropped, as when SVG conversion is off);
3. `trim_element_tree` and `json_to_html(element, need_skyvern_attrs=True)` over every root
   (ScrapedPage.build_element_tree(ElementTreeFormat.HTML), the `elements` of its extract-action prompt).
"""

from __future__ import annotations

import copy
import importlib.abc
import importlib.machinery
import sys
import types
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

SDK_DIR = Path(__file__).resolve().parents[1] / "var" / "sdk"
REAL = {
    "skyvern", "skyvern.constants", "skyvern.webeye", "skyvern.webeye.scraper", "skyvern.webeye.scraper.scraper",
    "skyvern.webeye.scraper.scraped_page", "skyvern.webeye.utils", "skyvern.webeye.utils.page",
}  # fmt: skip


class _Inert(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return mock.MagicMock(name=f"{self.__name__}.{name}")


class _StandIns(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Real modules when they exist (and, under skyvern, only those in REAL); inert ones otherwise."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if name.startswith("skyvern"):
            return None if name in REAL else importlib.machinery.ModuleSpec(name, self, is_package=True)
        for finder in sys.meta_path:
            if finder is self:
                continue
            try:
                if finder.find_spec(name, path, target):
                    return None
            except Exception:  # a finder that cannot tell: let the next one try
                continue
        return importlib.machinery.ModuleSpec(name, self, is_package=True)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _Inert(spec.name)

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = []  # type: ignore[attr-defined]


@cache
def scraper() -> types.ModuleType:
    if not (SDK_DIR / "skyvern" / "webeye" / "scraper" / "domUtils.js").is_file():
        raise SystemExit(f"Skyvern 1.0.56 is not installed under {SDK_DIR} (scripts/test installs it)")
    sys.path.append(str(SDK_DIR))
    finder = _StandIns()
    sys.meta_path.insert(0, finder)
    try:
        import skyvern.webeye.scraper.scraper as module
    finally:
        sys.meta_path.remove(finder)
    return module


def _cleanup(nodes: list[dict[str, Any]]) -> None:
    for node in nodes:
        node.pop("rect", None)
        if node.get("tagName") == "svg":
            node["isDropped"] = True
        _cleanup(node.get("children", []))


async def skyvern_elements_html(page: Any) -> str:
    """The element tree of `page`'s main frame as Skyvern's action prompt shows it."""
    module = scraper()
    await page.evaluate(module.JS_FUNCTION_DEFS)
    _elements, tree, *_ = await page.evaluate(
        "async () => await buildTreeFromBody('main.frame', 0, [], false)"
    )
    tree = copy.deepcopy(tree)
    _cleanup(tree)
    trimmed = module.trim_element_tree(tree)
    return "".join(module.json_to_html(element, need_skyvern_attrs=True) for element in trimmed)
