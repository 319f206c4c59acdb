"""The architecture's rules, checked on the source: private attributes, file sizes, the textbook's purity."""

import ast
import inspect
import pathlib

import pytest

from nodenet import backprop

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "nodenet"
MODULES = sorted(PACKAGE.rglob("*.py"))


def private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def own_private_names(tree):
    """Private attributes that the classes of a module define (assigned on self, slots, methods)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and private(item.name):
                    names.add(item.name)
                if isinstance(item, ast.Assign) and any(getattr(t, "id", "") == "__slots__" for t in item.targets):
                    names.update(e.value for e in ast.walk(item.value) if isinstance(e, ast.Constant))
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
    return names


REFLECTION = {"getattr", "setattr", "delattr", "hasattr", "attrgetter", "methodcaller"}


def foreign_private_accesses(path):
    """Private attributes read or written on anything but ``self``/``cls`` of the module's own classes.

    Also by reflection (``getattr(x, "_y")``, ``attrgetter("_y")``) and private names imported from other
    modules of the package (relative or absolute imports).
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    own = own_private_names(tree)
    where = str(path.relative_to(PACKAGE.parent))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and private(node.attr):
            on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not (on_self and node.attr in own):
                found.append(f"{where}:{node.lineno}: .{node.attr}")
        if isinstance(node, ast.Call):
            function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if function in REFLECTION:
                found += [f"{where}:{node.lineno}: {function}({arg.value!r})" for arg in node.args
                          if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and private(arg.value)]
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "nodenet"):
            found += [f"{where}:{node.lineno}: import {a.name}" for a in node.names if private(a.name)]
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_touches_private_attributes_of_another(path):
    assert foreign_private_accesses(path) == []


PLANTED = """
from operator import attrgetter
from nodenet.structure import _hidden
class A:
    def __init__(self):
        self._mine = 1
    def f(self, net, other):
        return net._plan(), self._mine, other._mine, getattr(net, "_store"), attrgetter("_slot"), self._theirs
"""


def test_the_checker_finds_every_kind_of_foreign_private_access(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(PLANTED)
    assert sorted(foreign_private_accesses_in(planted)) == sorted([
        "planted.py:3: import _hidden", "planted.py:8: ._plan", "planted.py:8: ._mine",
        "planted.py:8: getattr('_store')", "planted.py:8: attrgetter('_slot')", "planted.py:8: ._theirs",
    ])


def foreign_private_accesses_in(path):
    global PACKAGE
    saved, PACKAGE = PACKAGE, path.parent / "pkg"
    try:
        return [line.removeprefix(str(path.parent.name) + "/") for line in foreign_private_accesses(path)]
    finally:
        PACKAGE = saved


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_file_is_over_500_lines(path):
    assert len(path.read_text().splitlines()) <= 500


def test_the_network_core_is_under_400_lines():
    assert len((PACKAGE / "structure.py").read_text().splitlines()) < 400


@pytest.mark.parametrize("function", [backprop.forward_node, backprop.backward_node, backprop.forward_group,
                                      backprop.backward_group, backprop.forward_pass, backprop.backward_pass])
def test_the_textbook_reads_public_attributes_and_dispatches_on_no_type(function):
    source = inspect.getsource(function)
    assert len(source.splitlines()) <= 30
    for hidden in ("._", "isinstance", "__class__", "type(", "ndim", "shape"):
        assert hidden not in source
