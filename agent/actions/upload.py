"""upload_file: fetch `file_url` (through the private-host guard) and give it to a file input."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import httpx

from agent import netguard
from agent.actions.base import ACTION_TIMEOUT_MS, ActionContext, element_kind, handler, locate
from agent.schemas import ActionResult, PlannedAction

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
FETCH_TIMEOUT_S = 30


class FetchRefused(Exception):
    pass


def _filename(response: httpx.Response) -> str:
    disposition = response.headers.get("content-disposition", "")
    match = re.search(r'filename\*?=(?:UTF-8\'\')?"?([^";]+)"?', disposition, re.IGNORECASE)
    name = unquote(match.group(1)) if match else PurePosixPath(unquote(urlsplit(str(response.url)).path)).name
    # Keep the name but nothing that could climb out of the work directory.
    name = re.sub(r"[^\w.\- ]", "_", Path(name).name).strip(". ")
    return name or "upload.bin"


async def fetch_file(url: str, allow: list[str], work_dir: Path) -> Path:
    """Download `url` into its own folder under `work_dir`; every redirect hop is guarded too."""

    async def guard(request: httpx.Request) -> None:
        why = await asyncio.to_thread(netguard.check_url, str(request.url), allow)
        if why:
            raise FetchRefused(f"refused to fetch {request.url}: {why}")

    if urlsplit(url).scheme.lower() not in ("http", "https"):
        raise FetchRefused("file_url must be an http(s) URL")
    async with (
        httpx.AsyncClient(
            follow_redirects=True, timeout=FETCH_TIMEOUT_S, event_hooks={"request": [guard]}
        ) as client,
        client.stream("GET", url) as response,
    ):
        response.raise_for_status()
        target = work_dir / "uploads" / uuid.uuid4().hex[:8] / _filename(response)
        target.parent.mkdir(parents=True, exist_ok=True)
        await _save(response, target)
    return target


async def _save(response: httpx.Response, target: Path) -> None:
    size = 0
    with target.open("wb") as out:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise FetchRefused(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
            out.write(chunk)


@handler("upload_file")
async def upload_file(ctx: ActionContext, action: PlannedAction) -> ActionResult:
    locator = await locate(ctx, action.id)
    try:
        path = await fetch_file(action.file_url or "", ctx.allow_hosts, ctx.work_dir)
    except (FetchRefused, httpx.HTTPError) as exc:
        return ActionResult.fail("file_fetch_failed", str(exc) or type(exc).__name__)
    kind = await element_kind(locator)
    if kind["tag"] == "input" and kind["type"] == "file":
        await locator.set_input_files(path, timeout=ACTION_TIMEOUT_MS)
    else:
        # A styled "Choose file" button: catch the chooser its click opens.
        async with ctx.page.expect_file_chooser(timeout=ACTION_TIMEOUT_MS) as chooser_info:
            await locator.click(timeout=ACTION_TIMEOUT_MS)
        await (await chooser_info.value).set_files(path)
    return ActionResult.ok(data={"file": path.name})
