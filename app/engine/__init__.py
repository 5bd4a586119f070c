"""The only door to SpiffWorkflow: parsing, validating and running BPMN models.

Everything outside this package sees plain dataclasses and exceptions defined here.
"""
from .bpmn import DeployError, Problem, ProcessModel, UserTaskDef, parse_model, parse_xml
from .migration import Blocker, MigrationCheck, VersionRef, check_migration, migrate_instance
from .runtime import (
    EngineError,
    ReadyTask,
    Step,
    TaskNotReady,
    complete_task,
    ready_tasks,
    start_workflow,
)

__all__ = [
    "DeployError", "EngineError", "Problem", "ProcessModel", "ReadyTask", "Step", "TaskNotReady",
    "UserTaskDef", "complete_task", "parse_model", "ready_tasks", "start_workflow",
]
__all__ += ["Blocker", "MigrationCheck", "VersionRef", "check_migration", "migrate_instance", "parse_xml"]
