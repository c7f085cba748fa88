"""Workflows: a definition's blocks run in order on one browser (agent.workflow.engine.run_workflow)."""

from agent.workflow.definition import BLOCK_TYPES, DefinitionError, check_definition, parameter_keys
from agent.workflow.engine import run_workflow
from agent.workflow.host import BlockRun, WorkflowHost, WorkflowOptions, WorkflowResult
from agent.workflow.parameters import ParameterError, resolve_parameters

__all__ = [
    "BLOCK_TYPES",
    "BlockRun",
    "DefinitionError",
    "ParameterError",
    "WorkflowHost",
    "WorkflowOptions",
    "WorkflowResult",
    "check_definition",
    "parameter_keys",
    "resolve_parameters",
    "run_workflow",
]
