"""No vacuous tests: every ``test_*`` function in tests/ must be able to fail.

A test counts as asserting when its own body (nested functions aside) has

- an ``assert`` statement,
- a call to ``pytest.raises``, ``pytest.fail`` or ``pytest.warns``, or
- a call to an asserting helper: a function whose name starts with ``assert_``, ``check_``
  or ``expect_``, or any function defined in tests/ that is itself asserting by these rules
  (matched by name, so ``helpers.wait_until(...)`` counts when tests/ defines an asserting
  ``wait_until``).

Run as ``python -m tests.lint_tests [FOLDER]`` (``make lint`` does): it lists every test that
asserts nothing and exits 1, or exits 0 silently.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

PYTEST_ASSERTIONS = {"raises", "fail", "warns"}
HELPER_PREFIXES = ("assert_", "check_", "expect_")

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(tree: ast.AST) -> Iterator[Function]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _own_nodes(function: Function) -> Iterator[ast.AST]:
    """The nodes of a function's body, without those of functions defined inside it."""
    stack: list[ast.AST] = [*function.body]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.append(child)


def _called_name(call: ast.Call) -> tuple[str | None, str | None]:
    """(owner, name) of a call: ``pytest.raises(...)`` -> ("pytest", "raises")."""
    func = call.func
    if isinstance(func, ast.Name):
        return None, func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return owner, func.attr
    return None, None


def _asserts(function: Function, helpers: set[str]) -> bool:
    for node in _own_nodes(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            owner, name = _called_name(node)
            if name is None:
                continue
            if owner == "pytest" and name in PYTEST_ASSERTIONS:
                return True
            if name.startswith(HELPER_PREFIXES) or name in helpers:
                return True
    return False


def _shown(path: Path) -> Path:
    try:
        return path.resolve().relative_to(Path.cwd())
    except ValueError:
        return path


def vacuous_tests(files: Iterable[Path]) -> list[str]:
    """``path:line name`` of every test function in ``files`` that asserts nothing."""
    parsed = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in files}
    functions = [(path, f) for path, tree in parsed.items() for f in _functions(tree)]
    # Helpers that assert, found to a fixed point (a helper may assert through another).
    helpers: set[str] = set()
    changed = True
    while changed:
        changed = False
        for _, function in functions:
            if function.name not in helpers and _asserts(function, helpers):
                helpers.add(function.name)
                changed = True
    return [
        f"{_shown(path)}:{function.lineno} {function.name}"
        for path, function in functions
        if function.name.startswith("test")
        and path.name.startswith("test_")
        and not _asserts(function, helpers)
    ]


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).parent
    found = vacuous_tests(sorted(root.rglob("*.py")))
    for line in found:
        print(f"{line}: asserts nothing (no assert, pytest.raises/fail or asserting helper)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
