"""Which engines this server runs: whatever the agent has registered (agent.engines), never a list here."""

from agent.engines import engine_names


def engines_supported() -> frozenset[str]:
    return frozenset(engine_names())
