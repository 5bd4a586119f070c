"""Two contracts of the project's own for import-linter (setup.cfg, `make lint`):

- acyclic_modules: no module imports, directly or through others, a module that imports it back
  (imports inside functions count: a late import that hides a cycle is still a cycle).
- request_free: the listed modules never read Flask's request-scoped objects (request, session,
  g); only screens and API routes do.
- only_imports: a module imports, of its own package's modules, only those matching the patterns.
"""
from __future__ import annotations

import ast
import importlib.util
import re

import grimp
from importlinter import Contract, ContractCheck, fields, output

REQUEST_SCOPED = frozenset({"request", "session", "g"})


def _matches(module: str, patterns) -> bool:
    """Whether a module matches one of the patterns: * stands for one level, ** for one or more."""
    return any(_pattern(p).fullmatch(module) for p in patterns)


def _pattern(pattern: str) -> re.Pattern:
    parts = {"*": r"[^.]+", "**": r"[^.]+(?:\.[^.]+)*"}
    return re.compile(r"\.".join(parts.get(part, re.escape(part)) for part in pattern.split(".")))


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    root = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = sorted(m for m in graph.modules if m == self.root or m.startswith(self.root + "."))
        edges = {m: sorted(i for i in graph.find_modules_directly_imported_by(m) if i in modules and i != m)
                 for m in modules}
        cycles = [sorted(c) for c in _strongly_connected(modules, edges) if len(c) > 1]
        return ContractCheck(kept=not cycles, metadata={"cycles": cycles, "edges": edges})

    def render_broken_contract(self, check: ContractCheck) -> None:
        edges = check.metadata["edges"]
        for cycle in check.metadata["cycles"]:
            members = set(cycle)
            output.print_error("Modules that import each other:", bold=True)
            for module in cycle:
                inside = [i for i in edges[module] if i in members]
                output.indent_cursor()
                output.print_error(f"{module} -> {', '.join(inside)}")
            output.new_line()


def _strongly_connected(nodes, edges):
    """Tarjan's algorithm, iteratively."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    found.append(component)
    return found


class RequestFreeContract(Contract):
    type_name = "request_free"

    source_modules = fields.ListField(subfield=fields.StringField())
    exempt_modules = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found = []
        for module in sorted(graph.modules):
            if not _matches(module, self.source_modules) or _matches(module, self.exempt_modules):
                continue
            for line, name in _request_scoped_imports(module):
                found.append(f"{module}:{line} imports flask.{name}")
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["found"]:
            output.print_error(item)
        output.new_line()


def _request_scoped_imports(module: str):
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return
    with open(spec.origin, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            for alias in node.names:
                if alias.name in REQUEST_SCOPED:
                    yield node.lineno, alias.name
        elif isinstance(node, ast.Attribute) and node.attr in REQUEST_SCOPED \
                and isinstance(node.value, ast.Name) and node.value.id == "flask":
            yield node.lineno, node.attr


class OnlyImportsContract(Contract):
    type_name = "only_imports"

    source_module = fields.StringField()
    allowed = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        root = self.source_module.split(".")[0]
        imported = graph.find_modules_directly_imported_by(self.source_module)
        found = sorted(m for m in imported if (m == root or m.startswith(root + ".")) and not _matches(m, self.allowed))
        return ContractCheck(kept=not found, metadata={"found": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for module in check.metadata["found"]:
            output.print_error(f"{self.source_module} imports {module}")
        output.new_line()
