"""The only door to SpiffWorkflow: parsing, validating and running BPMN models.

Everything outside this package sees plain dataclasses and exceptions defined here.
"""
from .bpmn import Decision, DeployError, Problem, ProcessModel, UserTaskDef, parse_model, parse_xml
from .migration import Blocker, MigrationCheck, VersionRef, check_migration, migrate_instance
from .runtime import EngineError, ReadyTask, Step, TaskNotReady, complete_task, ready_tasks, start_workflow

__all__ = [
    "Blocker", "Decision", "DeployError", "EngineError", "MigrationCheck", "Problem", "ProcessModel", "ReadyTask",
    "Step", "TaskNotReady", "UserTaskDef", "VersionRef", "check_migration", "complete_task", "migrate_instance",
    "parse_model", "parse_xml", "ready_tasks", "start_workflow",
]
