"""Safe evaluator for the gateway conditions admins write in BPMN models.

SpiffWorkflow's default script environment evaluates a sequence-flow condition
by handing the text to Python ``eval`` with the task data as its namespace, so a
condition typed into the modeller is, in effect, arbitrary code run inside the
application (``().__class__.__base__.__subclasses__()`` and friends). This
module replaces that with a deliberately tiny language: the text is parsed with
``ast.parse(..., mode="eval")`` and the tree is checked against a whitelist
(literals, data names, comparisons, ``and``/``or``/``not``, unary minus) and
turned into plain Python closures; nothing the admin writes is ever compiled to
a code object or passed to ``eval``/``exec``. Anything outside the whitelist is
refused with an :class:`ExpressionError` whose message (in Bahasa Indonesia)
names the refused construct, so invalid conditions are caught at deploy time by
:func:`compile_condition` rather than when a case reaches the gateway.
"""

from __future__ import annotations

import ast
import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_NODES",
    "Condition",
    "ExpressionError",
    "compile_condition",
    "evaluate",
]

#: Longest accepted condition text, in characters (checked before parsing).
MAX_LENGTH = 1000
#: Most AST nodes accepted, counted with ``ast.walk`` over the whole parse tree
#: (operator and load-context nodes included).
MAX_NODES = 100
#: Deepest accepted nesting of expression nodes; the top expression is depth 1.
MAX_DEPTH = 20

_PREFIX = "Ekspresi tidak valid: "

_Evaluator = Callable[[Mapping[str, Any]], Any]


class ExpressionError(ValueError):
    """A condition was refused or could not be evaluated (message in Bahasa Indonesia)."""


def _refuse(detail: str) -> ExpressionError:
    return ExpressionError(_PREFIX + detail)


@dataclass(frozen=True)
class Condition:
    """A validated gateway condition, ready to be evaluated against task data."""

    source: str
    names: frozenset[str]
    _evaluator: _Evaluator = field(repr=False, compare=False)

    def evaluate(self, data: Mapping[str, Any]) -> bool:
        """Evaluate against ``data``; a name missing from ``data`` reads as ``None``."""
        if not isinstance(data, Mapping):
            raise TypeError("data tugas harus berupa mapping (dict)")
        return bool(self._evaluator(data))


# --------------------------------------------------------------------------- #
# What is refused, and how it is named in the error message.
# --------------------------------------------------------------------------- #

_BINOP_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.MatMult: "@",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
}

_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Attribute: "akses atribut tidak diizinkan",
    ast.Call: "pemanggilan fungsi tidak diizinkan",
    ast.Subscript: "akses indeks/subskrip tidak diizinkan",
    ast.Slice: "slice tidak diizinkan",
    ast.Lambda: "lambda tidak diizinkan",
    ast.ListComp: "komprehensi tidak diizinkan",
    ast.SetComp: "komprehensi tidak diizinkan",
    ast.DictComp: "komprehensi tidak diizinkan",
    ast.GeneratorExp: "ekspresi generator tidak diizinkan",
    ast.JoinedStr: "f-string tidak diizinkan",
    ast.FormattedValue: "f-string tidak diizinkan",
    ast.NamedExpr: "operator walrus ':=' tidak diizinkan",
    ast.Starred: "ekspresi berbintang '*' tidak diizinkan",
    ast.Dict: "literal dict tidak diizinkan",
    ast.IfExp: "ekspresi kondisional 'if ... else' tidak diizinkan",
    ast.Await: "'await' tidak diizinkan",
    ast.Yield: "'yield' tidak diizinkan",
    ast.YieldFrom: "'yield from' tidak diizinkan",
}

_UNARY_SYMBOLS: dict[type[ast.unaryop], str] = {
    ast.UAdd: "+",
    ast.Invert: "~",
}

# Comparison operators: (symbol for messages, function of (left, right)).
_COMPARISONS: dict[type[ast.cmpop], tuple[str, Callable[[Any, Any], bool]]] = {
    ast.Eq: ("==", operator.eq),
    ast.NotEq: ("!=", operator.ne),
    ast.Lt: ("<", operator.lt),
    ast.LtE: ("<=", operator.le),
    ast.Gt: (">", operator.gt),
    ast.GtE: (">=", operator.ge),
    ast.In: ("in", lambda left, right: left in right),
    ast.NotIn: ("not in", lambda left, right: left not in right),
    ast.Is: ("is", operator.is_),
    ast.IsNot: ("is not", operator.is_not),
}

_LITERAL_TYPES = (str, int, float, bool, type(None))


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_none_literal(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --------------------------------------------------------------------------- #
# Compiler: AST -> closures. Recursion is bounded by MAX_DEPTH.
# --------------------------------------------------------------------------- #


class _Compiler:
    def __init__(self) -> None:
        self.names: set[str] = set()

    def build(self, node: ast.AST, depth: int) -> _Evaluator:
        if depth > MAX_DEPTH:
            raise _refuse(f"ekspresi terlalu dalam (maksimal {MAX_DEPTH} tingkat)")
        refused = _REFUSED_NODES.get(type(node))
        if refused is not None:
            raise _refuse(refused)
        if isinstance(node, ast.BinOp):
            symbol = _BINOP_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise _refuse(f"operator '{symbol}' tidak diizinkan")
        handler = getattr(self, f"_build_{type(node).__name__}", None)
        if handler is None:
            raise _refuse(f"sintaks '{type(node).__name__}' tidak diizinkan")
        return handler(node, depth)

    # -- leaves ------------------------------------------------------------- #

    def _build_Constant(self, node: ast.Constant, depth: int) -> _Evaluator:
        value = node.value
        if not isinstance(value, _LITERAL_TYPES):
            raise _refuse(f"literal bertipe '{_type_name(value)}' tidak diizinkan")
        return lambda data: value

    def _build_Name(self, node: ast.Name, depth: int) -> _Evaluator:
        name = node.id
        self.names.add(name)
        return lambda data: data.get(name)

    # -- containers --------------------------------------------------------- #

    def _elements(self, node: ast.List | ast.Tuple | ast.Set, depth: int) -> list[_Evaluator]:
        return [self.build(element, depth + 1) for element in node.elts]

    def _build_List(self, node: ast.List, depth: int) -> _Evaluator:
        elements = self._elements(node, depth)
        return lambda data: [element(data) for element in elements]

    def _build_Tuple(self, node: ast.Tuple, depth: int) -> _Evaluator:
        elements = self._elements(node, depth)
        return lambda data: tuple(element(data) for element in elements)

    def _build_Set(self, node: ast.Set, depth: int) -> _Evaluator:
        elements = self._elements(node, depth)

        def evaluate_set(data: Mapping[str, Any]) -> frozenset[Any]:
            values = [element(data) for element in elements]
            try:
                return frozenset(values)
            except TypeError:
                raise ExpressionError(
                    "Ekspresi gagal dievaluasi: anggota himpunan harus bernilai hashable"
                ) from None

        return evaluate_set

    # -- operators ---------------------------------------------------------- #

    def _build_UnaryOp(self, node: ast.UnaryOp, depth: int) -> _Evaluator:
        if isinstance(node.op, ast.Not):
            operand = self.build(node.operand, depth + 1)
            return lambda data: not operand(data)
        if isinstance(node.op, ast.USub):
            if isinstance(node.operand, ast.Constant) and not _is_number(node.operand.value):
                raise _refuse(
                    f"minus tunggal hanya untuk angka, bukan "
                    f"'{_type_name(node.operand.value)}'"
                )
            operand = self.build(node.operand, depth + 1)

            def negate(data: Mapping[str, Any]) -> Any:
                value = operand(data)
                if not _is_number(value):
                    raise ExpressionError(
                        f"Ekspresi gagal dievaluasi: minus tunggal hanya untuk angka, "
                        f"bukan '{_type_name(value)}'"
                    )
                return -value

            return negate
        symbol = _UNARY_SYMBOLS.get(type(node.op), type(node.op).__name__)
        raise _refuse(f"operator '{symbol}' tidak diizinkan")

    def _build_BoolOp(self, node: ast.BoolOp, depth: int) -> _Evaluator:
        operands = [self.build(value, depth + 1) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda data: all(bool(operand(data)) for operand in operands)
        return lambda data: any(bool(operand(data)) for operand in operands)

    def _build_Compare(self, node: ast.Compare, depth: int) -> _Evaluator:
        nodes = [node.left, *node.comparators]
        steps: list[tuple[str, Callable[[Any, Any], bool]]] = []
        for index, op in enumerate(node.ops):
            symbol, function = _COMPARISONS[type(op)]
            if isinstance(op, (ast.Is, ast.IsNot)) and not (
                _is_none_literal(nodes[index]) or _is_none_literal(nodes[index + 1])
            ):
                raise _refuse(f"operator '{symbol}' hanya boleh dipakai dengan None")
            steps.append((symbol, function))
        operands = [self.build(operand, depth + 1) for operand in nodes]

        def compare(data: Mapping[str, Any]) -> bool:
            # Python semantics: a < b < c is (a < b) and (b < c), each operand
            # evaluated at most once, stopping at the first false link.
            left = operands[0](data)
            for (symbol, function), right_operand in zip(steps, operands[1:], strict=True):
                right = right_operand(data)
                try:
                    outcome = function(left, right)
                except TypeError:
                    raise ExpressionError(
                        f"Ekspresi gagal dievaluasi: operator '{symbol}' tidak dapat "
                        f"dipakai antara '{_type_name(left)}' dan '{_type_name(right)}'"
                    ) from None
                if not outcome:
                    return False
                left = right
            return True

        return compare


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


def compile_condition(text: str) -> Condition:
    """Validate ``text`` and return a :class:`Condition`; raise :class:`ExpressionError` if refused."""
    if not isinstance(text, str):
        raise _refuse(f"ekspresi harus berupa teks, bukan '{_type_name(text)}'")
    if len(text) > MAX_LENGTH:
        raise _refuse(f"ekspresi terlalu panjang (maksimal {MAX_LENGTH} karakter)")
    stripped = text.strip()
    if not stripped:
        raise _refuse("ekspresi kosong")
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as error:
        raise _refuse(f"sintaks tidak valid: {error.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise _refuse("sintaks tidak valid: ekspresi tidak dapat diurai") from None
    node_count = sum(1 for _ in ast.walk(tree))
    if node_count > MAX_NODES:
        raise _refuse(f"ekspresi terlalu kompleks (maksimal {MAX_NODES} simpul)")
    compiler = _Compiler()
    evaluator = compiler.build(tree.body, 1)
    return Condition(source=text, names=frozenset(compiler.names), _evaluator=evaluator)


@functools.lru_cache(maxsize=512)
def _cached_condition(text: str) -> Condition:
    return compile_condition(text)


def evaluate(text: str, data: Mapping[str, Any]) -> bool:
    """Compile ``text`` (cached) and evaluate it against ``data``."""
    if not isinstance(text, str):
        raise _refuse(f"ekspresi harus berupa teks, bukan '{_type_name(text)}'")
    return _cached_condition(text).evaluate(data)
