"""The egress proxy against real Chromium: what the route guard never sees (redirect hops, `*.localhost`,
page scripts, WebRTC) must not reach a loopback service that the allow-list does not name.

Every test watches an "internal" listener on 127.0.0.1 that must see zero requests, while a "site" on
another loopback port (allowed by host:port) redirects and links to it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import Browser
from playwright.async_api import Error as PlaywrightError

from agent.browser import BrowserConfig, NavigationBlocked
from agent.browser.cdp import BrowserUnavailable, cdp_websocket_url
from agent.browser.egress import EgressPolicy, egress_proxy_for
from tests.support.http import RecordingServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def internal() -> Iterator[RecordingServer]:
    """A loopback service runs must never reach: it records every request."""
    with RecordingServer() as server:
        yield server


@pytest.fixture(scope="module")
def site() -> Iterator[RecordingServer]:
    """The allowed site: `/302?to=URL` and `/307?to=URL` redirect; `/page?html=...` serves that HTML."""
    with RecordingServer(b"<title>site</title><p>public page</p>") as server:
        yield server


@pytest_asyncio.fixture(loop_scope="session")
async def session(make_session, site):
    """A run's session whose allow-list names only the site's host and port."""
    return await make_session(allow_private_hosts=[f"127.0.0.1:{site.port}"])


@pytest_asyncio.fixture(loop_scope="session")
async def unguarded_page(browser: Browser, site, tmp_path):
    """A context that uses the egress proxy but not the route guard: the proxy alone must hold."""
    proxy = await asyncio.to_thread(egress_proxy_for, EgressPolicy(allow=(f"127.0.0.1:{site.port}",)))
    context = await browser.new_context(proxy={"server": proxy.url})
    yield await context.new_page()
    await context.close()


def _internal_urls(port: int) -> list[str]:
    return [
        f"http://127.0.0.1:{port}/",
        f"http://2130706433:{port}/",
        f"http://[::ffff:127.0.0.1]:{port}/",
        f"http://foo.localhost:{port}/",
        f"http://localhost:{port}/",
    ]


@pytest.mark.parametrize("status", [302, 307])
async def test_redirect_hops_to_internal_addresses_never_connect(session, site, internal, status):
    for target in _internal_urls(internal.port):
        url = f"http://127.0.0.1:{site.port}/{status}?to={target}"
        try:
            await session.goto(url, wait_until="load")
        except PlaywrightError:
            pass  # the proxy refused the hop: Chromium reports a failed navigation
        assert "internal secret" not in await session.page.content()

    assert internal.requests == []
    assert len([path for path in site.requests if path.startswith(f"/{status}")]) == 5


async def test_the_allowed_site_still_loads_through_the_proxy(session, site):
    await session.goto(f"http://127.0.0.1:{site.port}/page")

    assert "public page" in await session.page.content()


async def test_a_localhost_subdomain_is_refused_before_and_at_connection(session, unguarded_page, internal):
    with pytest.raises(NavigationBlocked, match="foo.localhost"):
        await session.goto(f"http://foo.localhost:{internal.port}/")
    response = await unguarded_page.goto(f"http://foo.localhost:{internal.port}/")

    assert response is not None and response.status == 403
    assert "egress policy" in await unguarded_page.content()

    assert internal.requests == []


async def test_page_scripts_sockets_and_subresources_cannot_reach_internal_ports(
    unguarded_page, site, internal
):
    port = internal.port
    html = (
        f'<img src="http://127.0.0.1:{port}/img"><iframe src="http://bar.localhost:{port}/frame"></iframe>'
        f"<script>fetch('http://127.0.0.1:{port}/fetch').catch(() => {{}});"
        f"new WebSocket('ws://localhost:{port}/ws');</script>"
    )
    await unguarded_page.goto(f"http://127.0.0.1:{site.port}/page?html={html}")
    await unguarded_page.wait_for_timeout(500)

    assert internal.requests == []


async def test_webrtc_sends_no_udp_around_the_proxy(unguarded_page, site):
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(1.5)
    stun = f"stun:127.0.0.1:{udp.getsockname()[1]}"
    await unguarded_page.goto(f"http://127.0.0.1:{site.port}/page")
    await unguarded_page.evaluate(
        """async (stun) => {
            const pc = new RTCPeerConnection({iceServers: [{urls: stun}]});
            pc.createDataChannel("x");
            await pc.setLocalDescription(await pc.createOffer());
        }""",
        stun,
    )
    try:
        received = await asyncio.to_thread(udp.recvfrom, 2048)
    except TimeoutError:
        received = None
    finally:
        udp.close()

    assert received is None


@pytest.fixture(scope="module")
def fake_devtools() -> Iterator[RecordingServer]:
    """Not a browser: `/ssh/json/version` answers like an SSH banner, `/steer/json/version` names a
    WebSocket on another host and port."""
    answers = {
        "/steer": b'{"webSocketDebuggerUrl": "ws://10.0.0.9:6379/devtools/browser/abc"}',
        "/ssh": b"SSH-2.0-OpenSSH_9.6 secret-banner",
    }
    with RecordingServer(answers=answers) as server:
        yield server


@pytest.mark.parametrize(
    "address",
    ["http://%31%32%37.0.0.1:{port}/", "http://127%2E0%2E0%2E1:{port}/", "http://127.0.0.1:{port}\\@1.1.1.1/",
     "http://[::ffff:127.0.0.1]:{port}/", "http://2130706433:{port}/"],
)  # fmt: skip
async def test_browser_address_tricks_are_refused_without_a_request(fake_devtools, address):
    with pytest.raises(BrowserUnavailable, match="refused"):
        await cdp_websocket_url(address.format(port=fake_devtools.port), allow=[])

    assert fake_devtools.requests == []


async def test_a_browser_address_that_is_not_devtools_is_not_quoted(fake_devtools):
    allow = [f"127.0.0.1:{fake_devtools.port}"]
    with pytest.raises(BrowserUnavailable) as failure:
        await cdp_websocket_url(f"http://127.0.0.1:{fake_devtools.port}/ssh", allow=allow)

    assert "SSH" not in str(failure.value) and "secret" not in str(failure.value)


async def test_a_browser_address_cannot_steer_the_worker_to_another_host(fake_devtools):
    allow = [f"127.0.0.1:{fake_devtools.port}"]
    url = await cdp_websocket_url(f"http://127.0.0.1:{fake_devtools.port}/steer", allow=allow)

    assert url == f"ws://127.0.0.1:{fake_devtools.port}/devtools/browser/abc"


def test_a_context_goes_through_the_egress_proxy_unless_switched_off(tmp_path):
    from agent.browser.config import context_options

    config = BrowserConfig(run_dir=tmp_path, proxy_url="http://u:p@proxy.example:8080")

    assert context_options(config, "http://127.0.0.1:5555")["proxy"] == {"server": "http://127.0.0.1:5555"}
    assert context_options(config)["proxy"]["server"] == "http://proxy.example:8080"


@pytest.fixture(scope="module")
def upstream() -> Iterator[RecordingServer]:
    """A stand-in for a run's upstream proxy: answers absolute-form requests itself and records them."""
    with RecordingServer(b"<p>served via the upstream proxy</p>") as server:
        yield server


async def test_the_egress_proxy_chains_to_the_runs_upstream_and_still_refuses(browser, upstream, internal):
    policy = EgressPolicy.for_browser([], f"http://127.0.0.1:{upstream.port}")
    proxy = await asyncio.to_thread(egress_proxy_for, policy)
    context = await browser.new_context(proxy={"server": proxy.url})
    page = await context.new_page()
    try:
        await page.goto("http://only-the-upstream-knows.test/page")
        via_upstream = await page.content()
        refused = await page.goto(f"http://127.0.0.1:{internal.port}/")
    finally:
        await context.close()

    assert "served via the upstream proxy" in via_upstream
    assert refused is not None and refused.status == 403
    # The page and its favicon, both through the upstream.
    assert {urlsplit(url).hostname for url in upstream.requests} == {"only-the-upstream-knows.test"}
    assert internal.requests == []
