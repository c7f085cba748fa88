"""Keep Python's cycle collector out of a step's way.

A full collection walks every tracked object in the process: in a worker that is Playwright's, litellm's and
the host's (Django's) import-time objects, hundreds of thousands that never become garbage. A snapshot of a
3,000-element page allocates enough to set one off every few steps, and it stalls the step for 50–100 ms
(bench/bench_step.py: a 3,000-element step's median 283–309 ms before, 233–239 ms after). Freezing what exists
when the first run starts moves those objects out of the collector's reach for good; what runs allocate is
still collected as before.
"""

from __future__ import annotations

import gc

_frozen = False


def freeze_startup_objects() -> None:
    """Once per process, before its first run: collect, then freeze every object alive (imports, settings)."""
    global _frozen
    if _frozen:
        return
    _frozen = True
    gc.collect()
    gc.freeze()
