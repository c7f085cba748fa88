"""The app's rows, one module per sub-domain; everything is importable from `runs.models`."""

from runs.models.accounts import ApiKey, Membership, Organization
from runs.models.browsers import BrowserProfile, BrowserSession, profile_path
from runs.models.credentials import Credential, TotpCode
from runs.models.task_runs import Action, Artifact, Step, TaskRun, Thought, artifact_path
from runs.models.workflows import Script, Workflow, WorkflowRunBlock

__all__ = [
    "Action",
    "ApiKey",
    "Artifact",
    "BrowserProfile",
    "BrowserSession",
    "Credential",
    "Membership",
    "Organization",
    "Script",
    "Step",
    "TaskRun",
    "Thought",
    "TotpCode",
    "Workflow",
    "WorkflowRunBlock",
    "artifact_path",
    "profile_path",
]
