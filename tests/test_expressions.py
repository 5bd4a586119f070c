"""Tests for app.engine.expressions, the safe evaluator for gateway conditions."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.engine import expressions
from app.engine.expressions import (
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_NODES,
    Condition,
    ExpressionError,
    compile_condition,
    evaluate,
)

# --------------------------------------------------------------------------- #
# Gateway conditions used by the process models
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "keputusan", "expected"),
    [
        ('keputusan == "revisi"', "revisi", True),
        ('keputusan == "revisi"', "disetujui", False),
        ('keputusan == "disetujui"', "disetujui", True),
        ('keputusan == "disetujui"', "revisi", False),
    ],
)
def test_gateway_conditions(text: str, keputusan: str, expected: bool) -> None:
    assert evaluate(text, {"keputusan": keputusan}) is expected
    assert compile_condition(text).evaluate({"keputusan": keputusan}) is expected


def test_surrounding_whitespace_from_bpmn_xml_is_ignored() -> None:
    text = '\n      keputusan == "revisi"\n    '
    condition = compile_condition(text)
    assert condition.source == text
    assert condition.evaluate({"keputusan": "revisi"}) is True


def test_compile_condition_returns_condition_with_source() -> None:
    condition = compile_condition('keputusan == "revisi"')
    assert isinstance(condition, Condition)
    assert condition.source == 'keputusan == "revisi"'


# --------------------------------------------------------------------------- #
# Semantics
# --------------------------------------------------------------------------- #


def test_missing_name_evaluates_to_none() -> None:
    assert evaluate("keputusan is None", {}) is True
    assert evaluate("keputusan is not None", {}) is False
    assert evaluate("keputusan == None", {}) is True
    assert evaluate('keputusan == "revisi"', {}) is False
    assert evaluate('keputusan != "revisi"', {}) is True
    assert evaluate("keputusan", {}) is False
    assert evaluate("not keputusan", {}) is True


def test_none_in_data_and_missing_name_are_the_same() -> None:
    assert evaluate("x is None", {"x": None}) is True
    assert evaluate("None is x", {}) is True
    assert evaluate("x is None", {"x": 0}) is False


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("a and b", {"a": True, "b": True}, True),
        ("a and b", {"a": True, "b": False}, False),
        ("a or b", {"a": False, "b": True}, True),
        ("a or b", {"a": False, "b": False}, False),
        ("not a", {"a": False}, True),
        ("not a", {"a": True}, False),
        ("a and not b or c", {"a": True, "b": True, "c": False}, False),
        ("a and (not b or c)", {"a": True, "b": False, "c": False}, True),
        ('status == "baru" and jumlah > 0', {"status": "baru", "jumlah": 3}, True),
        ('status == "baru" and jumlah > 0', {"status": "baru", "jumlah": 0}, False),
        ("True", {}, True),
        ("False", {}, False),
        ("None", {}, False),
    ],
)
def test_boolean_operators(text: str, data: dict, expected: bool) -> None:
    assert evaluate(text, data) is expected


def test_and_or_short_circuit() -> None:
    # The right-hand side would raise (str < int) if it were evaluated.
    assert evaluate('a or b < 1', {"a": True, "b": "x"}) is True
    assert evaluate('a and b < 1', {"a": False, "b": "x"}) is False
    with pytest.raises(ExpressionError):
        evaluate('a or b < 1', {"a": False, "b": "x"})


def test_result_is_always_bool() -> None:
    assert evaluate("x", {"x": "teks"}) is True
    assert evaluate("x", {"x": ""}) is False
    assert evaluate("a or b", {"a": 0, "b": [1]}) is True
    assert evaluate("a and b", {"a": 1, "b": "x"}) is True


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ('keputusan in ["revisi", "ditolak"]', {"keputusan": "revisi"}, True),
        ('keputusan in ["revisi", "ditolak"]', {"keputusan": "disetujui"}, False),
        ('keputusan not in ["revisi", "ditolak"]', {"keputusan": "disetujui"}, True),
        ('keputusan not in ["revisi", "ditolak"]', {"keputusan": "ditolak"}, False),
        ('keputusan in ("revisi", "ditolak")', {"keputusan": "ditolak"}, True),
        ('keputusan in {"revisi", "ditolak"}', {"keputusan": "ditolak"}, True),
        ("x in [a, b]", {"x": 2, "a": 1, "b": 2}, True),
        ("keputusan in []", {"keputusan": "revisi"}, False),
        ('"data" in judul', {"judul": "Permintaan data"}, True),
        ("x in daftar", {"x": 3, "daftar": [1, 2, 3]}, True),
        ('keputusan in ["revisi", None]', {}, True),
    ],
)
def test_membership(text: str, data: dict, expected: bool) -> None:
    assert evaluate(text, data) is expected


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("1 < x < 10", {"x": 5}, True),
        ("1 < x < 10", {"x": 10}, False),
        ("1 < x < 10", {"x": 1}, False),
        ("0 <= x <= 0", {"x": 0}, True),
        ("a == b == c", {"a": 1, "b": 1, "c": 1}, True),
        ("a == b == c", {"a": 1, "b": 1, "c": 2}, False),
        ("a < b > c", {"a": 1, "b": 5, "c": 2}, True),
        ("x != y != z", {"x": 1, "y": 2, "z": 1}, True),
    ],
)
def test_chained_comparisons(text: str, data: dict, expected: bool) -> None:
    assert evaluate(text, data) is expected


def test_chained_comparison_stops_at_first_false_link() -> None:
    # "1 > x" is false, so "x < s" (int < str, a TypeError) is never evaluated.
    assert evaluate("1 > x < s", {"x": 5, "s": "a"}) is False


@pytest.mark.parametrize(
    ("text", "data", "expected"),
    [
        ("jumlah > 100", {"jumlah": 150}, True),
        ("jumlah > 100", {"jumlah": 100}, False),
        ("jumlah >= 100", {"jumlah": 100}, True),
        ("nilai < 2.5", {"nilai": 2.4}, True),
        ("nilai <= 2.5", {"nilai": 2.5}, True),
        ("x == -1", {"x": -1}, True),
        ("-x < 0", {"x": 3}, True),
        ("--x == 3", {"x": 3}, True),
        ("x > -2.5", {"x": -2}, True),
        ("x == 1.0", {"x": 1}, True),
        ("hari != 0", {"hari": 7}, True),
    ],
)
def test_numbers(text: str, data: dict, expected: bool) -> None:
    assert evaluate(text, data) is expected


# --------------------------------------------------------------------------- #
# names
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ('keputusan == "revisi"', {"keputusan"}),
        ("a and b or not c", {"a", "b", "c"}),
        ("x in [a, b, 1]", {"x", "a", "b"}),
        ("1 < x < y", {"x", "y"}),
        ("x == x", {"x"}),
        ("True or None == False", set()),
        ("-jumlah > 0", {"jumlah"}),
        ("x is None", {"x"}),
    ],
)
def test_names(text: str, names: set[str]) -> None:
    condition = compile_condition(text)
    assert condition.names == frozenset(names)
    assert isinstance(condition.names, frozenset)


# --------------------------------------------------------------------------- #
# Refused constructs (at compile time)
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("().__class__.__base__", "akses atribut tidak diizinkan"),
        ("keputusan.lower", "akses atribut tidak diizinkan"),
        ('__import__("os")', "pemanggilan fungsi tidak diizinkan"),
        ("len(x) > 0", "pemanggilan fungsi tidak diizinkan"),
        ("x[0]", "subskrip tidak diizinkan"),
        ('data["keputusan"] == "revisi"', "subskrip tidak diizinkan"),
        ("x[1:2]", "subskrip tidak diizinkan"),
        ("lambda: 1", "lambda tidak diizinkan"),
        ("[y for y in x]", "komprehensi tidak diizinkan"),
        ("{y for y in x}", "komprehensi tidak diizinkan"),
        ("{y: 1 for y in x}", "komprehensi tidak diizinkan"),
        ("x in (y for y in z)", "generator tidak diizinkan"),
        ("a + b", "operator '+' tidak diizinkan"),
        ("x == 1 + 1", "operator '+' tidak diizinkan"),
        ("x - 1 > 0", "operator '-' tidak diizinkan"),
        ('"a" * 10', "operator '*' tidak diizinkan"),
        ("9 ** 9 ** 9", "operator '**' tidak diizinkan"),
        ("x / 2", "operator '/' tidak diizinkan"),
        ("x % 2", "operator '%' tidak diizinkan"),
        ("a | b", "operator '|' tidak diizinkan"),
        ("~x", "operator '~' tidak diizinkan"),
        ("+x", "operator '+' tidak diizinkan"),
        ('f"{x}" == "1"', "f-string tidak diizinkan"),
        ('f"{x.__class__}"', "f-string tidak diizinkan"),
        ("(x := 1)", "walrus"),
        ("[*x]", "berbintang"),
        ("x is 1", "operator 'is' hanya boleh dipakai dengan None"),
        ('x is not "a"', "operator 'is not' hanya boleh dipakai dengan None"),
        ("x is y", "operator 'is' hanya boleh dipakai dengan None"),
        ("x is y is None", "operator 'is' hanya boleh dipakai dengan None"),
        ("{}", "literal dict tidak diizinkan"),
        ('{"a": 1}', "literal dict tidak diizinkan"),
        ("a if b else c", "kondisional"),
        ('b"x" == x', "literal bertipe 'bytes' tidak diizinkan"),
        ("x == 1j", "literal bertipe 'complex' tidak diizinkan"),
        ("x == ...", "literal bertipe 'ellipsis' tidak diizinkan"),
        ('-"a"', "minus tunggal hanya untuk angka"),
        ("-True", "minus tunggal hanya untuk angka"),
    ],
)
def test_refused_constructs(text: str, fragment: str) -> None:
    with pytest.raises(ExpressionError) as info:
        compile_condition(text)
    message = str(info.value)
    assert message.startswith("Ekspresi tidak valid: ")
    assert fragment in message
    # evaluate() refuses the same text before looking at any data.
    with pytest.raises(ExpressionError):
        evaluate(text, {"x": 1, "a": 1, "b": 1})


def test_sandbox_escape_is_refused() -> None:
    with pytest.raises(ExpressionError, match="tidak diizinkan"):
        compile_condition("().__class__.__base__.__subclasses__()")
    with pytest.raises(ExpressionError, match="tidak diizinkan"):
        evaluate("().__class__.__base__.__subclasses__()", {})


def test_sandbox_escape_variants_are_refused() -> None:
    for text in [
        "[c for c in ().__class__.__base__.__subclasses__()]",
        '__builtins__["eval"]("1")',
        "keputusan.__class__",
        'getattr(keputusan, "__class__")',
        '(lambda: __import__("os").system("id"))()',
    ]:
        with pytest.raises(ExpressionError):
            compile_condition(text)


def test_expression_error_is_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


def test_statements_are_syntax_errors() -> None:
    for text in ["import os", "x = 1", "del x", "x == 1; import os"]:
        with pytest.raises(ExpressionError, match="sintaks tidak valid"):
            compile_condition(text)


# --------------------------------------------------------------------------- #
# Limits and bad input
# --------------------------------------------------------------------------- #


def test_too_long_is_refused() -> None:
    text = "x == " + '"' + "a" * (MAX_LENGTH - 6) + '"'
    assert len(text) == MAX_LENGTH + 1
    with pytest.raises(ExpressionError, match="terlalu panjang"):
        compile_condition(text)
    with pytest.raises(ExpressionError, match="terlalu panjang"):
        evaluate(text, {})


def test_length_limit_is_inclusive() -> None:
    text = "x == " + '"' + "a" * (MAX_LENGTH - 7) + '"'
    assert len(text) == MAX_LENGTH
    assert compile_condition(text).evaluate({"x": "a" * (MAX_LENGTH - 7)}) is True


def test_too_deep_is_refused() -> None:
    text = "not " * MAX_DEPTH + "x"  # depth MAX_DEPTH + 1, few nodes
    with pytest.raises(ExpressionError, match="terlalu dalam"):
        compile_condition(text)


def test_depth_limit_is_inclusive() -> None:
    text = "not " * (MAX_DEPTH - 1) + "x"  # depth exactly MAX_DEPTH
    assert compile_condition(text).evaluate({"x": True}) is (MAX_DEPTH % 2 == 1)


def test_deeply_nested_lists_are_refused() -> None:
    text = "x in " + "[" * 25 + "]" * 25
    with pytest.raises(ExpressionError, match="terlalu dalam"):
        compile_condition(text)


def test_too_many_nodes_is_refused() -> None:
    text = "x in [" + ", ".join(["1"] * MAX_NODES) + "]"
    assert len(text) <= MAX_LENGTH
    with pytest.raises(ExpressionError, match="terlalu kompleks"):
        compile_condition(text)


def test_pathological_nesting_does_not_crash() -> None:
    for text in ["(" * 300 + ")" * 300, "-" * 999 + "1", "not " * 249 + "x"]:
        assert len(text) <= MAX_LENGTH
        with pytest.raises(ExpressionError):
            compile_condition(text)


@pytest.mark.parametrize(
    "text",
    ['keputusan == "revisi', "keputusan ==", "a and", "(a", "x === 1", "1 <> 2", "a\0b"],
)
def test_syntax_error_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match="sintaks tidak valid"):
        compile_condition(text)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_is_refused(text: str) -> None:
    with pytest.raises(ExpressionError, match="kosong"):
        compile_condition(text)


@pytest.mark.parametrize("text", [None, 1, b"x == 1", ["x"]])
def test_non_string_is_refused(text: object) -> None:
    with pytest.raises(ExpressionError, match="harus berupa teks"):
        compile_condition(text)  # type: ignore[arg-type]
    with pytest.raises(ExpressionError, match="harus berupa teks"):
        evaluate(text, {})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Evaluation-time errors
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ('"a" < 1', {}),
        ("x < 1", {"x": "a"}),
        ("x > 0", {}),  # missing name is None; None > 0 is incomparable
        ("x >= y", {"x": [1], "y": 1}),
        ("x in 1", {}),
        ("1 in x", {}),  # None is not a container
        ("x not in 5", {"x": 1}),
        ("x in {a}", {"x": 1, "a": [1]}),  # unhashable set member
        ("-x < 0", {"x": "a"}),
        ("-x < 0", {}),
        ("-x < 0", {"x": True}),
    ],
)
def test_incomparable_types_raise_expression_error(text: str, data: dict) -> None:
    condition = compile_condition(text)  # valid syntax; fails only on this data
    with pytest.raises(ExpressionError, match="gagal dievaluasi"):
        condition.evaluate(data)
    with pytest.raises(ExpressionError):
        evaluate(text, data)


def test_incomparable_message_names_types() -> None:
    with pytest.raises(ExpressionError) as info:
        evaluate('"a" < 1', {})
    assert "'<'" in str(info.value)
    assert "'str'" in str(info.value)
    assert "'int'" in str(info.value)


def test_evaluate_requires_mapping() -> None:
    condition = compile_condition("x == 1")
    with pytest.raises(TypeError):
        condition.evaluate([("x", 1)])  # type: ignore[arg-type]


def test_data_is_not_mutated() -> None:
    data = {"keputusan": "revisi"}
    evaluate('keputusan == "revisi" and lain is None', data)
    assert data == {"keputusan": "revisi"}


# --------------------------------------------------------------------------- #
# Caching
# --------------------------------------------------------------------------- #


def test_evaluate_uses_lru_cache() -> None:
    cached = expressions._cached_condition
    cached.cache_clear()
    evaluate('keputusan == "revisi"', {"keputusan": "revisi"})
    evaluate('keputusan == "revisi"', {"keputusan": "disetujui"})
    info = cached.cache_info()
    assert info.misses == 1
    assert info.hits == 1


def test_refused_text_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ExpressionError):
            evaluate('__import__("os")', {})


# --------------------------------------------------------------------------- #
# The module itself never calls eval / exec / compile
# --------------------------------------------------------------------------- #


def test_module_source_has_no_eval_exec_or_compile_call() -> None:
    source = Path(expressions.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    forbidden = {"eval", "exec", "compile"}
    offending = [
        (node.lineno, node.func.id)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in forbidden
    ]
    assert offending == []
    # Nor are they reached through builtins.
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attrs = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert not (forbidden & names)
    assert "builtins" not in names and "__builtins__" not in names
    assert not (forbidden & attrs)
