"""The only door to SpiffWorkflow: parsing, validating and running BPMN models.

Everything outside this package sees plain dataclasses and exceptions defined here.
"""
from .bpmn import Decision, ProcessModel, UserTaskDef, check_form, parse_model
from .migration import Blocker, MigrationCheck, VersionRef, check_migration, migrate_instance
from .outline import Element, Outline, outline_of
from .runtime import EngineError, ReadyTask, Step, TaskNotReady, complete_task, ready_tasks, start_workflow
from .xml import DeployError, Problem, parse_xml

__all__ = [
    "Blocker", "Decision", "DeployError", "Element", "EngineError", "MigrationCheck", "Outline", "Problem",
    "ProcessModel", "ReadyTask", "Step", "TaskNotReady", "UserTaskDef", "VersionRef", "check_form",
    "check_migration", "complete_task", "migrate_instance", "outline_of", "parse_model", "parse_xml", "ready_tasks",
    "start_workflow",
]
