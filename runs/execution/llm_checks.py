"""Calling every configured model and engine once: reachable, valid JSON, takes images, latency, price.

`manage.py check_llm` prints the lines and exits non-zero on a failure; celery beat runs the same check every
SKYVERN_LLM_CHECK_SECONDS (runs.tasks.check_models), and the Discover page shows the latest in a banner.
A model answering valid JSON counts as working; whether it takes images is reported, and a model whose
vision is set on but could not see the probe image is flagged, since its screenshots would be wasted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import redis
from django.conf import settings

from agent import LLMConfig
from agent.llm_check import ModelCheck, check_model
from runs import selectors
from runs.execution.vision import config_for, vision_declared
from runs.live import redis as redis_store
from runs.selectors import ModelChoice
from runs.services.engines import (
    OWN_PROVIDER_SETTINGS,
    engine_llm_config,
    engine_setup_problem,
    engines_supported,
)

log = logging.getLogger(__name__)


@dataclass
class CheckTarget:
    role: str  # who uses the model: "default model", "secondary model", "engine openai-cua"...
    config: LLMConfig
    declared: tuple[bool, str] | None = None  # vision from settings or litellm's map; None: probe decides


@dataclass
class CheckResult:
    target: CheckTarget
    check: ModelCheck
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok

    def line(self) -> str:
        where = f" @ {self.check.api_base}" if self.check.api_base else ""
        head = f"{'OK  ' if self.ok else 'FAIL'} {self.target.role}: {self.check.model}{where}"
        return f"{head}: {'; '.join(self.facts())}"

    def facts(self) -> list[str]:
        check = self.check
        if not check.reachable:
            return [f"unreachable: {check.error}"]
        facts = ["reachable", "valid JSON" if check.valid_json else f"NOT valid JSON ({check.error})"]
        facts.append(self._images())
        facts.append(f"{check.latency_ms} ms")
        facts.append(_price(check))
        return facts + self.warnings

    def _images(self) -> str:
        if self.target.declared is not None and self.check.takes_images is None:
            takes, why = self.target.declared
            return f"{'takes' if takes else 'no'} images ({why}; not probed)"
        verdict = {True: "takes images", False: "takes no images", None: "images unknown"}[
            self.check.takes_images
        ]
        return f"{verdict} ({self.check.vision_detail})"


def _price(check: ModelCheck) -> str:
    if check.input_price_per_1k is None:
        return "price unknown"
    return f"${check.input_price_per_1k:.4f} in / ${check.output_price_per_1k:.4f} out per 1k tokens"


def _target(role: str, choice: ModelChoice) -> CheckTarget:
    return CheckTarget(role=role, config=config_for(choice), declared=vision_declared(choice))


def engines_not_configured() -> list[str]:
    """One line per engine with a provider of its own that its settings leave unusable (not a failure)."""
    lines = []
    for engine in sorted(engines_supported() & set(OWN_PROVIDER_SETTINGS)):
        problem = engine_setup_problem(engine=engine)
        if problem:
            lines.append(f"SKIP engine {engine}: {problem}")
    return lines


def check_targets(*, everything: bool = False) -> list[CheckTarget]:
    """The default and secondary models, each configured engine with a provider of its own, and with
    `everything` every other model a request may name; each (model, endpoint) once."""
    main_engines = sorted(engines_supported() - set(OWN_PROVIDER_SETTINGS))
    targets = []
    primary = selectors.model_primary()
    if primary is not None:
        targets.append(_target(f"default model ({', '.join(main_engines)})", primary))
    secondary = selectors.model_secondary()
    if secondary is not None:
        targets.append(_target("secondary model (helper calls)", secondary))
    for engine in sorted(engines_supported() & set(OWN_PROVIDER_SETTINGS)):
        config = engine_llm_config(engine=engine)
        if config is not None and config.model and engine_setup_problem(engine=engine) is None:
            targets.append(CheckTarget(role=f"engine {engine}", config=config))
    if everything:
        targets += [_target("offered model", choice) for choice in selectors.models_offered()]
    return _unique(targets)


def _unique(targets: list[CheckTarget]) -> list[CheckTarget]:
    seen: set[tuple[str | None, str | None]] = set()
    unique = []
    for target in targets:
        key = (target.config.model, target.config.api_base)
        if key not in seen:
            seen.add(key)
            unique.append(target)
    return unique


async def _check(target: CheckTarget) -> CheckResult:
    declared_off = target.declared is not None and not target.declared[0]
    check = await check_model(target.config, probe_images=not declared_off)
    result = CheckResult(target=target, check=check)
    if target.declared is not None and target.declared[0] and check.takes_images is False:
        result.warnings.append("WARNING: its vision is set on, but it could not see the probe image")
    return result


async def checks_run(targets: list[CheckTarget]) -> list[CheckResult]:
    """Check every target at once (each is one or two short calls)."""
    return list(await asyncio.gather(*(_check(target) for target in targets)))


# --- the latest results, for the Discover page's banner -------------------------------------------------
# Whoever checks (the `check_models` task celery beat runs every SKYVERN_LLM_CHECK_SECONDS, `manage.py
# check_llm`) stores a summary in Redis; pages only read it, so showing the banner never calls a model.


def _store_key() -> str:
    return f"{redis_store.key_prefix()}:llm-checks"


def checks_record(*, everything: bool = False) -> list[CheckResult]:
    """Check every target now (sync code: a task or a command) and store the summary for the pages."""
    results = asyncio.run(checks_run(check_targets(everything=everything)))
    summary = {
        "checked_at": time.time(),
        "skipped": engines_not_configured(),
        "results": [
            {"role": r.target.role, "model": r.check.model, "ok": r.ok, "facts": r.facts(), "line": r.line()}
            for r in results
        ],
    }
    try:
        ttl = 3 * settings.SKYVERN_LLM_CHECK_SECONDS
        redis_store.client().set(_store_key(), json.dumps(summary), ex=ttl)
    except redis.RedisError as exc:
        log.warning("could not store the model check for the Discover page: %s", exc)
    return results


def checks_latest() -> dict[str, Any] | None:
    """The latest stored summary ({"checked_at", "skipped", "results"}), or None when there is none."""
    try:
        raw = redis_store.client().get(_store_key())
    except redis.RedisError:
        return None
    return json.loads(raw) if raw else None


def checks_forget() -> None:
    with contextlib.suppress(redis.RedisError):
        redis_store.client().delete(_store_key())
