"""A browser agent as a library: no Django, Celery or Channels here (tests/agent/test_boundary.py).

result = await run_agent(task, llm=LLMClient(LLMConfig(model=...)), browser=BrowserConfig(...),
                         sink=my_sink, should_stop=lambda: cancel_requested)
"""

from agent.browser import BrowserConfig
from agent.llm import LLMClient, LLMConfig, LLMError, LLMNotConfigured, LLMReply
from agent.loop import ARTIFACT_TYPES, NullSink, Sink, run_agent
from agent.schemas import (
    ACTION_TYPES,
    ActionRecord,
    ActionResult,
    AgentResult,
    AgentTask,
    PlannedAction,
    StepRecord,
    ThoughtRecord,
)

__all__ = [
    "ACTION_TYPES",
    "ARTIFACT_TYPES",
    "ActionRecord",
    "ActionResult",
    "AgentResult",
    "AgentTask",
    "BrowserConfig",
    "LLMClient",
    "LLMConfig",
    "LLMError",
    "LLMNotConfigured",
    "LLMReply",
    "NullSink",
    "PlannedAction",
    "Sink",
    "StepRecord",
    "ThoughtRecord",
    "run_agent",
]
