"""Webhook delivery: the run's body, signed with the API key that created it, POSTed to webhook_url.

A receiver verifies `x-skyvern-signature` (runs.execution.signing).
Redirects are followed by hand, at most a few hops, and every hop is checked against the private-network
guard and sent to the address the check resolved: a public receiver must not be able to bounce the worker
into the internal network, by a redirect or by answering DNS differently the second time.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpx
from django.conf import settings
from django.utils import timezone

from agent.netguard import IPAddress, Target, UrlRefused, pinned
from runs.execution.signing import signed_headers, signing_key_for
from runs.models import TaskRun
from runs.presenters import legacy_task_response, run_to_response
from runs.services.egress import url_vet

log = logging.getLogger(__name__)

MAX_REDIRECTS = 3
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass
class Delivery:
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = None
    retryable: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"status_code": self.status_code, "latency_ms": self.latency_ms, "error": self.error}


class DeliveryRefused(Exception):
    """The URL (or a redirect) points somewhere the worker must not go."""


def webhook_payload(run: TaskRun) -> dict[str, Any]:
    """The `GET /v1/runs/{id}` body plus the keys of Skyvern's older task webhooks (task_id, ...)."""
    return {**legacy_task_response(run), **run_to_response(run)}


def webhook_body(run: TaskRun) -> bytes:
    return json.dumps(webhook_payload(run), separators=(",", ":"), default=str).encode()


def _vetted(url: str) -> tuple[Target, IPAddress]:
    try:
        return url_vet(url)
    except UrlRefused as exc:
        raise DeliveryRefused(f"webhook URL refused: {exc}") from None


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    """POST to the checked address of each hop, re-posting to each redirect target after checking it
    (raises DeliveryRefused). The name is resolved once, by the check: no DNS-rebinding window."""
    with httpx.Client(
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            target, address = _vetted(url)
            pinned_url, host, extensions = pinned(target, address)
            response = client.post(pinned_url, content=body, headers=headers | host, extensions=extensions)
            location = response.headers.get("location")
            if not (response.is_redirect and location):
                return response
            url = urljoin(target.url, location)
    raise DeliveryRefused(f"more than {MAX_REDIRECTS} redirects")


def webhook_deliver(*, run: TaskRun) -> Delivery:
    """One delivery attempt, recorded on the run (the last failure stays until a delivery succeeds)."""
    body = webhook_body(run)
    headers = signed_headers(body, signing_key_for(run))
    started = time.monotonic()
    delivery = Delivery()
    try:
        response = _post(run.webhook_url, body, headers)
        delivery.status_code = response.status_code
        if not response.is_success:
            delivery.error = f"the receiver answered HTTP {response.status_code}"
            delivery.retryable = response.status_code in RETRYABLE_STATUSES
    except DeliveryRefused as exc:
        delivery.error = str(exc)
    except httpx.TimeoutException:
        delivery.error = f"no answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s"
        delivery.retryable = True
    except httpx.HTTPError as exc:
        delivery.error = f"could not reach the receiver: {exc}"
        delivery.retryable = True
    delivery.latency_ms = int((time.monotonic() - started) * 1000)
    _record(run, delivery)
    return delivery


def _record(run: TaskRun, delivery: Delivery) -> None:
    fields = {
        "webhook_sent_at": timezone.now(),
        "webhook_status_code": delivery.status_code,
        "webhook_failure_reason": delivery.error,
    }
    TaskRun.objects.filter(pk=run.pk).update(**fields)
    for name, value in fields.items():
        setattr(run, name, value)
    if delivery.error:
        log.info("webhook for %s failed: %s", run.run_id, delivery.error)


def webhook_send(*, run: TaskRun) -> dict[str, Any]:
    """Send the webhook once now (the retry_webhook route): {status_code, latency_ms, error}."""
    if not run.webhook_url:
        return Delivery(error="this run has no webhook_url").as_dict()
    return webhook_deliver(run=run).as_dict()
