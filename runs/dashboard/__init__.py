"""Dashboard pages (server-rendered) and the public demo pages."""

from runs.dashboard import demo
from runs.dashboard.discover import discover
from runs.dashboard.run_actions import run_cancel_view, run_rerun_view, run_webhook_view
from runs.dashboard.run_detail import run_detail
from runs.dashboard.runs_list import run_row, runs_list

__all__ = [
    "demo",
    "discover",
    "run_cancel_view",
    "run_detail",
    "run_rerun_view",
    "run_row",
    "run_webhook_view",
    "runs_list",
]
