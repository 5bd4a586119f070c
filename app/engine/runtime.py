"""Running instances: start, complete a user task, and keep state without a copy of the spec.

The state of an instance is SpiffWorkflow's serialization minus the spec: the spec belongs to
the deployed version, is parsed once and cached (bpmn.cached_spec), and is attached again
when the state is loaded.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.serializer import DEFAULT_CONFIG
from SpiffWorkflow.util.task import TaskState

from . import expressions
from .bpmn import cached_spec

XmlSource = str | Callable[[], str]  # the version's BPMN XML, or a function that reads it when needed


class TaskNotReady(Exception):
    """The task is unknown to the instance or no longer waiting for a person."""


class EngineError(Exception):
    """The model could not go on (for example no gateway condition held)."""


@dataclass(frozen=True)
class ReadyTask:
    id: str
    bpmn_id: str
    name: str
    lane: str


@dataclass(frozen=True)
class Step:
    """What the engine reports after an action."""

    state: str
    ready: tuple[ReadyTask, ...]
    completed: bool


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Conditions go through the safe evaluator; scripts and services never run."""

    def evaluate(self, expression, context, external_context=None):
        return expressions.evaluate(expression, context)

    def execute(self, script, context, external_context=None):
        raise EngineError("skrip tidak diizinkan")

    def call_service(self, context, **kwargs):
        raise EngineError("pemanggilan layanan tidak diizinkan")


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; restores it onto the cached spec."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_SCRIPT_ENGINE = PythonScriptEngine(environment=SafeEnvironment())
_REGISTRY = BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: SpeclessWorkflowConverter})
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)


def _dump(workflow: BpmnWorkflow) -> str:
    dct = _SERIALIZER.to_dict(workflow)
    dct[_SERIALIZER.VERSION_KEY] = _SERIALIZER.VERSION
    return json.dumps(dct, separators=(",", ":"))


def _load(process_id: str, sha256: str, xml: XmlSource, state: str) -> BpmnWorkflow:
    spec, subprocess_specs = cached_spec(process_id, sha256, xml)
    dct = json.loads(state)
    _SERIALIZER.migrate(dct)
    workflow = _SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = _SCRIPT_ENGINE
    return workflow


def _ready(workflow: BpmnWorkflow) -> tuple[ReadyTask, ...]:
    return tuple(
        ReadyTask(str(t.id), t.task_spec.bpmn_id, t.task_spec.bpmn_name or t.task_spec.bpmn_id,
                  t.task_spec.lane or "")
        for t in workflow.get_tasks(state=TaskState.READY, manual=True)
    )


def _advance(workflow: BpmnWorkflow) -> Step:
    try:
        workflow.do_engine_steps()
    except WorkflowException as exc:
        raise EngineError(str(exc)) from exc
    return Step(state=_dump(workflow), ready=_ready(workflow), completed=workflow.is_completed())


def ready_tasks(process_id: str, sha256: str, xml: XmlSource, state: str) -> tuple[ReadyTask, ...]:
    """The user tasks a stored state waits for, as the engine reads it (to check the read model)."""
    return _ready(_load(process_id, sha256, xml, state))


def start_workflow(process_id: str, sha256: str, xml: XmlSource, data: Mapping[str, Any] | None = None) -> Step:
    spec, subprocess_specs = cached_spec(process_id, sha256, xml)
    workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=_SCRIPT_ENGINE)
    if data:
        workflow.set_data(**data)
    return _advance(workflow)


def complete_task(process_id: str, sha256: str, xml: XmlSource, state: str, task_id: str,
                  data: Mapping[str, Any]) -> Step:
    """Complete a ready user task with (already validated) form data and run to the next wait."""
    workflow = _load(process_id, sha256, xml, state)
    try:
        task = workflow.tasks.get(UUID(task_id))
    except ValueError:
        task = None
    if task is None or not task.has_state(TaskState.READY) or not task.task_spec.manual:
        raise TaskNotReady(task_id)
    task.set_data(**data)
    task.run()
    return _advance(workflow)
