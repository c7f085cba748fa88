"""Dashboard pages and the public demo pages."""

from django.urls import path
from django.views.generic import RedirectView

from runs import dashboard as views
from runs.dashboard import demo, demo_2fa, demo_reports, sessions
from runs.dashboard.keys import api_key_revoke_view, api_keys
from runs.dashboard.llm_status import llm_status
from runs.dashboard.members import member_remove_view, members
from runs.dashboard.queue import queue_page, queue_status
from runs.dashboard.scripts import run_script_download
from runs.dashboard.totp import run_totp_view
from runs.dashboard.workflows import (
    workflow_delete,
    workflow_detail,
    workflow_new,
    workflow_run,
    workflows_list,
)

app_name = "runs"

urlpatterns = [
    path("", RedirectView.as_view(url="/discover", permanent=False), name="home"),
    path("discover", views.discover, name="discover"),
    path("discover/llm-status", llm_status, name="llm_status"),
    path("runs", views.runs_list, name="list"),
    path("runs/<str:run_id>", views.run_detail, name="detail"),
    path("runs/<str:run_id>/cancel", views.run_cancel_view, name="cancel"),
    path("runs/<str:run_id>/rerun", views.run_rerun_view, name="rerun"),
    path("runs/<str:run_id>/webhook", views.run_webhook_view, name="webhook"),
    path("runs/<str:run_id>/totp", run_totp_view, name="totp"),
    path("runs/<str:run_id>/script.py", run_script_download, name="script_download"),
    path("runs/<str:run_id>/fragments/row", views.run_row, name="row"),
    path("queue", queue_page, name="queue"),
    path("sessions", sessions.sessions_page, name="sessions"),
    path("sessions/<str:session_id>", sessions.session_detail, name="session"),
    path(
        "sessions/<str:session_id>/screenshot.jpg",
        sessions.session_screenshot_view,
        name="session_screenshot",
    ),
    path("sessions/<str:session_id>/close", sessions.session_close_view, name="session_close"),
    path("workflows", workflows_list, name="workflows"),
    path("workflows/new", workflow_new, name="workflow_new"),
    path("workflows/<str:workflow_id>", workflow_detail, name="workflow"),
    path("workflows/<str:workflow_id>/run", workflow_run, name="workflow_run"),
    path("workflows/<str:workflow_id>/delete", workflow_delete, name="workflow_delete"),
    path("queue/status.json", queue_status, name="queue_status"),
    path("keys", api_keys, name="api_keys"),
    path("members", members, name="members"),
    path("members/<int:membership_id>/remove", member_remove_view, name="member_remove"),
    path("keys/<str:key_id>/revoke", api_key_revoke_view, name="api_key_revoke"),
    path("demo/job-application", demo.job_application, name="demo_job_application"),
    path("demo/job-application/thanks", demo.job_application_thanks, name="demo_job_application_thanks"),
    path("demo/products", demo.products, name="demo_products"),
    path("demo/reports", demo_reports.reports, name="demo_reports"),
    path("demo/reports/<str:name>", demo_reports.report_file, name="demo_report_file"),
    path("demo/login", demo.login, name="demo_login"),
    path("demo/account", demo.account, name="demo_account"),
    path("demo/secure-login", demo_2fa.secure_login, name="demo_secure_login"),
    path("demo/2fa", demo_2fa.two_factor, name="demo_2fa"),
]
