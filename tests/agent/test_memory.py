"""The first run freezes the process's start-up objects once; later runs leave their garbage collectable."""

from __future__ import annotations

import gc
import subprocess
import sys

SCRIPT = """
import gc
from agent.loop import memory

assert gc.get_freeze_count() == 0
memory.freeze_startup_objects()
first = gc.get_freeze_count()
assert first > 10_000, first  # the imports (Playwright, pydantic, the agent) are out of the collector's way

class Cycle:
    pass

junk = [Cycle() for _ in range(1_000)]
for item in junk:
    item.me = item
del junk, item
memory.freeze_startup_objects()  # a second run
assert gc.get_freeze_count() == first, "a later run must not freeze what earlier runs left"
assert gc.collect() >= 1_000  # a run's garbage cycles are still collected
print("ok")
"""


def test_first_run_freezes_start_up_objects_once():
    # A fresh interpreter: pytest's own objects would blur the counts.
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
    assert gc.isenabled()
