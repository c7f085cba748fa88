"""`agent` is a library: importing it must not drag in the Django side of the house."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = (
    "import agent, agent.__main__, sys; "
    "bad = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'channels', 'celery'}); "
    "assert not bad, bad"
)


def test_importing_agent_loads_no_django_channels_or_celery() -> None:
    done = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_public_api_is_importable_from_the_package() -> None:
    import agent

    for name in ("run_agent", "AgentTask", "AgentResult", "LLMConfig", "LLMClient", "Sink", "NullSink"):
        assert hasattr(agent, name), name
    assert hasattr(agent, "StepRecord") and hasattr(agent, "ActionRecord")
