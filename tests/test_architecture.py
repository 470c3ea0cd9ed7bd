"""The house rules: stage packages import only downwards, no import cycles,
small modules.

The import graph is read from the source (every ``import`` statement,
function-level ones included), so an import hidden inside a function to dodge
a cycle still counts as an edge.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "survey_kit"

#: stage -> rank; a module may import only modules of its own or a lower rank
RANKS = {
    "errors": 0, "_files": 0, "_yaml": 0, "_results": 0, "_formulas": 0, "_renamed": 0,
    "instrument": 1, "io": 2, "cleaning": 3, "weighting": 4, "stats": 5, "engine": 5.5, "design": 6,
    "tables": 7, "report": 8, "sample": 9, "cli": 10, "__init__": 11, "__main__": 11,
}
MAX_LINES = 800


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PKG.rglob("*.py")}


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The deepest existing module of a dotted name (``a.b.func`` -> ``a.b``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imports(mod: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [f"{stem}.{a.name}" for a in node.names] + [stem]
        else:
            continue
        for name in names:
            if name.startswith("survey_kit"):
                target = _resolve(name, modules)
                if target and target != mod:
                    out.add(target)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(m, p, modules) for m, p in modules.items()}


def _stage(mod: str) -> str:
    parts = mod.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_stages_import_only_downwards():
    wrong = []
    for mod, targets in _graph().items():
        for target in targets:
            if target == "survey_kit":
                continue
            if RANKS[_stage(target)] > RANKS[_stage(mod)]:
                wrong.append(f"{mod} -> {target}")
    assert wrong == []


def test_every_module_is_in_a_known_stage():
    assert {_stage(m) for m in _modules()} <= set(RANKS)


def test_modules_stay_small():
    big = {m: n for m, p in _modules().items()
           if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert big == {}


def test_no_function_is_too_complex():
    """ruff's C901 at the project's max-complexity (15, in pyproject.toml)."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--select", "C901",
                           "--output-format", "concise", "survey_kit"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
