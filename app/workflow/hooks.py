"""What the domains above add to process runs, each from its init_app: the effects that completing
a task may have (named in the model by the task property ``effect``), the sources of dynamic form
choices (``x-enum-source`` in a form), and the cards beside a task or an instance on its page.

Registration is by name, so building the application again (as the tests do) replaces an entry
instead of adding a second one.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# effect(instance, user, now): runs inside the completion's transaction.
Effect = Callable[[Any, Any, datetime], object]
# A dynamic enum's source gives (value, title) pairs.
EnumSource = Callable[[], Iterable[tuple[Any, str]]]


@dataclass(frozen=True)
class Panel:
    """A card on the page of a task (``task`` given) or of an instance (``task`` None):
    ``context(instance, task, viewer, data)`` gives the values for ``template``, or None for no
    card; ``data`` is the instance's data as the viewer may see it, with what the form now holds."""

    name: str
    template: str
    context: Callable[[Any, Any, Any, Mapping[str, Any]], Mapping[str, Any] | None]
    order: int = 50
    on_task: bool = True
    on_instance: bool = False


_effects: dict[str, Effect] = {}
_enum_sources: dict[str, EnumSource] = {}
_panels: dict[str, Panel] = {}


def add_effect(name: str, effect: Effect) -> None:
    _effects[name] = effect


def effect_names() -> set[str]:
    return set(_effects)


def run_effect(name: str, instance, user, now: datetime) -> object:
    return _effects[name](instance, user, now)


def add_enum_source(name: str, source: EnumSource) -> None:
    _enum_sources[name] = source


def enum_sources() -> Mapping[str, EnumSource]:
    return dict(_enum_sources)


def add_panel(panel: Panel) -> None:
    _panels[panel.name] = panel


def panels(instance, task, viewer, data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(template, values) of the cards to show, in their order."""
    wanted = [p for p in _panels.values() if (p.on_task if task is not None else p.on_instance)]
    shown = []
    for panel in sorted(wanted, key=lambda p: (p.order, p.name)):
        values = panel.context(instance, task, viewer, data)
        if values is not None:
            shown.append((panel.template, values))
    return shown
