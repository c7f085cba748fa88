"""The agent loop: observe → decide → act → verify, with a step sink and cancellation."""

from agent.loop.runner import Launcher, run_agent
from agent.loop.sink import ARTIFACT_TYPES, NullSink, Sink, send_thought
from agent.loop.state import ShouldStop, TotpProvider

__all__ = [
    "ARTIFACT_TYPES",
    "Launcher",
    "NullSink",
    "ShouldStop",
    "Sink",
    "TotpProvider",
    "run_agent",
    "send_thought",
]
