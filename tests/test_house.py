"""The house rules of the code base, checked from the code itself (docs/architecture.md).

Dependencies point one way (cli -> pull -> sources -> archive / wordpress / http -> model;
sinks -> archive / wordpress / reflect / http -> model), nothing imports the CLI, no module
imports itself round a cycle, and python-wordpress-xmlrpc is touched in one adapter only.
Imports inside functions count: a late import is still a dependency. Imports under
`if TYPE_CHECKING:` do not: they never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wpcpd"

# The rooms (first part of the module name below wpcpd) each room may not import.
LEAVES = {"errors", "model", "text", "streams", "hashing", "files", "urls", "dates"}
FORBIDDEN: dict[str, set[str]] = {
    "sinks": {"sources", "pull", "cli"},
    "sources": {"sinks", "cli", "reflect"},
    "wordpress": {"sources", "sinks", "pull", "cli", "archive", "reflect"},
    "archive": {"sources", "sinks", "pull", "cli", "wordpress", "reflect", "http"},
    "reflect": {"sources", "sinks", "pull", "cli", "wordpress", "http"},
    "http": {"sources", "sinks", "pull", "cli", "wordpress", "archive", "reflect"},
    "pull": {"sinks", "cli"},
}
ROOMS_BELOW_LEAVES = {"__init__"}  # the package's own __init__ holds only the version


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def _target(name: str) -> str:
    """The module an imported name lives in: `wpcpd.a.b` if it is a module, else its package."""
    modules = _modules()
    while name not in modules and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def _imports(module: str) -> Iterator[tuple[str, int]]:
    path = _modules()[module]
    yield from _imports_in(path.read_text(encoding="utf-8"), module, path.name == "__init__.py")


def _imports_in(source: str, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """(imported wpcpd module, line) for every import that runs, at any depth."""
    tree = ast.parse(source)
    skipped = _type_checking_lines(tree)
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or node.lineno in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            if name == "wpcpd" or name.startswith("wpcpd."):
                yield _target(name), node.lineno


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_is_read() -> None:
    """The checks below see the whole package, subpackages included."""
    assert {"wpcpd.cli", "wpcpd.archive", "wpcpd.sinks.jsonl", "wpcpd.model"} <= set(_modules())


def _wrong_imports(module: str, imports: Iterator[tuple[str, int]]) -> list[str]:
    room = _room(module)
    wrong = []
    for imported, line in imports:
        target_room = _room(imported)
        if target_room == room:
            continue
        if target_room == "cli" and module != "wpcpd.__main__":
            wrong.append(f"line {line}: {imported} (nothing imports the CLI)")
        elif room in LEAVES and target_room not in LEAVES | ROOMS_BELOW_LEAVES:
            wrong.append(f"line {line}: {imported} (a leaf module imports only leaves)")
        elif target_room in FORBIDDEN.get(room, set()):
            wrong.append(f"line {line}: {imported} ({room} may not import {target_room})")
    return wrong


@pytest.mark.parametrize("module", sorted(_modules()))
def test_dependencies_point_one_way(module: str) -> None:
    wrong = _wrong_imports(module, _imports(module))
    assert not wrong, f"{module} imports against the flow:\n" + "\n".join(wrong)


def test_no_import_cycles() -> None:
    graph = {m: {i for i, _ in _imports(m) if i != m} for m in _modules()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_python_wordpress_xmlrpc_is_touched_in_one_adapter() -> None:
    users = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                )
                if any(n.split(".")[0] == "wordpress_xmlrpc" for n in names):
                    users.append(module)
    assert set(users) == {"wpcpd.wordpress.xmlrpc"}


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("wpcpd.sinks.example", "from wpcpd.sources.rest import RestSource\n"),
        ("wpcpd.sinks.example", "def late():\n    from wpcpd import pull\n"),
        ("wpcpd.sources.example", "from ..sinks import jsonl\n"),
        ("wpcpd.archive.example", "import wpcpd.cli\n"),
        ("wpcpd.model", "from wpcpd.archive import Archive\n"),
    ],
)
def test_the_checks_catch_a_wrong_import(module: str, source: str) -> None:
    """The rules are not vacuous: each of these would be reported."""
    assert _wrong_imports(module, _imports_in(source, module, False))


def test_type_checking_imports_do_not_count() -> None:
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from wpcpd import pull\n"
    assert not _wrong_imports("wpcpd.sinks.example", _imports_in(source, "wpcpd.sinks.x", False))


MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 60


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_stay_small(module: str) -> None:
    lines = _modules()[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{module}: {lines} lines; split it by job"


def _long_functions(source: str) -> list[str]:
    """Functions over the limit with no comment saying why they are long."""
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        length = (node.end_lineno or node.lineno) - first + 1
        said = " ".join(lines[max(first - 3, 0) : node.end_lineno]).lower()
        if length > MAX_FUNCTION_LINES and not ("#" in said and "long" in said):
            found.append(f"{node.name} (line {node.lineno}, {length} lines)")
    return found


@pytest.mark.parametrize("module", sorted(_modules()))
def test_functions_stay_short_or_say_why(module: str) -> None:
    long = _long_functions(_modules()[module].read_text(encoding="utf-8"))
    assert not long, f"{module}: " + ", ".join(long)


def test_a_long_function_needs_its_reason() -> None:
    body = "".join(f"    x = {n}\n" for n in range(MAX_FUNCTION_LINES))
    assert _long_functions(f"def f():\n{body}")
    assert not _long_functions(f"# Long because each step reads the one before.\ndef f():\n{body}")
