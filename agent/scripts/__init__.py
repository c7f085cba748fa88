"""Scripts: a finished run's actions as a plan a replay follows and as a readable Playwright program.

    steps, parameters = build_plan(actions, prompt=task.prompt, navigation_payload=task.navigation_payload)
    code = generate_code(steps, parameters, title=task.title, run_id=run_id)
    result = await run_agent(task, llm, browser, sink, engine=ScriptEngine(steps, parameters))

`ScriptEngine` lives in agent.scripts.replay (imported lazily here: the agent loop imports `describe`).
"""

from typing import Any

from agent.scripts.codegen import generate_code
from agent.scripts.describe import describe_element, describe_locator, locator_candidates
from agent.scripts.plan import build_plan, describe_target

__all__ = [
    "ScriptEngine",
    "build_plan",
    "describe_element",
    "describe_locator",
    "describe_target",
    "generate_code",
    "locator_candidates",
]


def __getattr__(name: str) -> Any:
    if name == "ScriptEngine":
        from agent.scripts.replay import ScriptEngine

        return ScriptEngine
    raise AttributeError(name)
