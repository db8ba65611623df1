"""The folders are the architecture: each stage package imports only the stages below it.

Order, lowest first: common, fetch, extract, classify, store, alert, pipeline. `flows/`
sits on all of them; `evaluation/` reads the product and the product never reads it.
`bench/` and `tests/` share their stand-in servers through `fakes/`, so bench never
imports tests; no two modules of `flows/` import each other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STAGES = ["common", "fetch", "extract", "classify", "store", "alert", "pipeline"]


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module a file imports, lazy imports inside functions included."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "tasks" and parts[1] in STAGES else None


def upward_imports(root: Path) -> list[str]:
    """`file:line imports module` for each import of a higher stage, flows or evaluation."""
    problems = []
    for path in sorted((root / "tasks").rglob("*.py")):
        own = path.relative_to(root).parts[1]
        if own not in STAGES:
            continue
        for line, module in imported_modules(path):
            top = module.split(".")[0]
            target = stage_of(module)
            upward = target is not None and STAGES.index(target) > STAGES.index(own)
            if upward or top in {"flows", "evaluation", "tests", "bench"}:
                problems.append(f"{path.relative_to(root)}:{line} imports {module}")
    return problems


def test_every_module_of_tasks_is_in_a_stage_package() -> None:
    loose = [p.name for p in (REPO / "tasks").glob("*.py") if p.name != "__init__.py"]
    assert loose == [], f"modules outside a stage package: {loose}"
    packages = sorted(p.name for p in (REPO / "tasks").iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(STAGES)


def test_no_stage_imports_a_stage_above_it() -> None:
    assert upward_imports(REPO) == []


def test_the_product_never_imports_evaluation_tests_or_bench() -> None:
    problems = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for top in ("tasks", "flows")
        for path in sorted((REPO / top).rglob("*.py"))
        if "corpus" not in path.parts
        for line, module in imported_modules(path)
        if module.split(".")[0] in {"tests", "bench"}
    ]
    assert problems == []


def test_bench_and_fakes_never_import_tests() -> None:
    problems = [
        f"{path.relative_to(REPO)}:{line} imports {module}"
        for top in ("bench", "fakes")
        for path in sorted((REPO / top).rglob("*.py"))
        for line, module in imported_modules(path)
        if module.split(".")[0] == "tests" or (top == "fakes" and module.split(".")[0] == "bench")
    ]
    assert problems == []


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(root: Path, top: str) -> list[tuple[str, str]]:
    """Pairs of modules under `top` that import each other, directly or through others of `top`."""
    modules = {module_name(p, root): p for p in sorted((root / top).rglob("*.py"))}
    graph = {
        name: {m for _, imported in imported_modules(path) for m in (imported, imported.rsplit(".", 1)[0])
               if m in modules and m != name}
        for name, path in modules.items()
    }

    def reaches(start: str, goal: str) -> bool:
        seen, stack = set(), [start]
        while stack:
            for nxt in graph[stack.pop()] - seen:
                if nxt == goal:
                    return True
                seen.add(nxt)
                stack.append(nxt)
        return False

    return [(a, b) for a in sorted(graph) for b in sorted(graph) if a < b and reaches(a, b) and reaches(b, a)]


def test_no_two_modules_of_flows_import_each_other() -> None:
    assert import_cycles(REPO, "flows") == []


def test_the_cycle_check_catches_a_cycle(tmp_path: Path) -> None:
    (tmp_path / "flows" / "cli").mkdir(parents=True)
    (tmp_path / "flows" / "cli" / "app.py").write_text("def f():\n    from flows.demo import run_demo\n")
    (tmp_path / "flows" / "demo.py").write_text("from flows.cli.app import f\n")
    assert import_cycles(tmp_path, "flows") == [("flows.cli.app", "flows.demo")]


@pytest.mark.parametrize("lower,upper", [("fetch", "store"), ("classify", "alert")])
def test_the_check_catches_an_upward_import(tmp_path: Path, lower: str, upper: str) -> None:
    """The check itself can fail: a planted upward import is reported."""
    for stage in STAGES:
        (tmp_path / "tasks" / stage).mkdir(parents=True)
    (tmp_path / "tasks" / lower / "bad.py").write_text(f"def f():\n    from tasks.{upper}.x import y\n")
    bad = f"tasks/{lower}/bad.py:2 imports tasks.{upper}.x"
    assert upward_imports(tmp_path) == [bad, bad + ".y"]
