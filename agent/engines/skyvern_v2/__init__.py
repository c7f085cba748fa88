"""skyvern-2.0: plan mini-goals, carry each one out with skyvern-1.0 steps, check the whole goal after each.

engine.py holds the planning loop, mini_goals.py the browser work of one mini-goal, thinker.py the
reasoning calls recorded as thoughts, answers.py what those calls must answer.
"""

from agent.engines.skyvern_v2.engine import SkyvernV2

__all__ = ["SkyvernV2"]
