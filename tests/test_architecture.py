"""The package tree is the pipeline: no import cycles (lazy and string imports included), each stage
imports only itself and earlier stages, `import dxstudy` stays light, modules stay small, analysis
stays pure, and no block of six lines is written twice in dxstudy/."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dxstudy"

#: Pipeline stages in order; a module may import its own stage and earlier ones only.
STAGES = ["base", "text", "reference", "tables", "readers", "coding", "build", "analysis", "render",
          "batch", "cli"]

#: Module (or folder) → stage; the longest matching prefix wins.
STAGE_OF = {
    "dxstudy.errors": "base", "dxstudy.inputs": "base", "dxstudy.paths": "base",
    "dxstudy.text": "text",
    "dxstudy.reference": "reference",
    "dxstudy.tables": "tables", "dxstudy.external": "tables",
    "dxstudy.report": "readers", "dxstudy.survey": "readers", "dxstudy.extract": "readers",
    "dxstudy.coding": "coding",
    "dxstudy.tables.build": "build",
    "dxstudy.analysis": "analysis",
    "dxstudy.render": "render", "dxstudy.explore": "render",
    "dxstudy.batch": "batch",
    "dxstudy.cli": "cli", "dxstudy.__main__": "cli", "dxstudy.survey.cli": "cli",
}

#: Modules placed apart from their folder: the survey's public face and its intake and templates
#: orchestrate reading, coding and writing a year (they read processed tables and write through the
#: build's writer).
LATE_READERS = {"dxstudy.survey": "build", "dxstudy.survey.intake": "build", "dxstudy.survey.template": "build",
                "dxstudy.survey.prefill": "build"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()
_STRING_MODULE = re.compile(r"^dxstudy(\.[a-z_][a-z0-9_]*)+$")


def _resolve(name: str) -> str | None:
    """The dxstudy module a dotted name refers to (a module, or a name inside one)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _imports(module: str, path: Path) -> set[str]:
    """Every dxstudy module ``module`` imports: top-level, inside functions, relative, and module
    names written as strings (import_module, monkeypatch targets, registries)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import mod` imports pkg.mod; `from pkg import name` imports pkg itself
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _STRING_MODULE.match(node.value):
            names = [node.value]
        for name in names:
            if name.startswith("dxstudy"):
                target = _resolve(name)
                if target and target != module and target != "dxstudy":
                    found.add(target)
    return found


def _stage(module: str) -> str:
    if module in LATE_READERS:
        return LATE_READERS[module]
    best = max((prefix for prefix in STAGE_OF if module == prefix or module.startswith(prefix + ".")),
               key=len, default=None)
    assert best is not None, f"{module}: no pipeline stage assigned (add it to STAGE_OF)"
    return STAGE_OF[best]


GRAPH = {m: _imports(m, p) for m, p in MODULES.items() if m != "dxstudy"}


def test_every_module_has_a_stage():
    for module in GRAPH:
        assert _stage(module) in STAGES


def test_the_import_walk_sees_lazy_relative_and_string_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from . import stages\n    import_module('dxstudy.paths')\n", encoding="utf-8")
    assert _imports("dxstudy.coding.probe", probe) == {"dxstudy.coding.stages", "dxstudy.paths"}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_each_stage_imports_only_itself_and_earlier_stages():
    backwards = [f"{m} ({_stage(m)}) imports {t} ({_stage(t)})"
                 for m, targets in sorted(GRAPH.items()) for t in sorted(targets)
                 if t in GRAPH and STAGES.index(_stage(t)) > STAGES.index(_stage(m))]
    assert backwards == []


def test_import_dxstudy_stays_light():
    heavy = ("pandas", "numpy", "matplotlib", "seaborn", "nbconvert", "papermill", "openpyxl", "sudachipy",
             "jupyter_client", "networkx")
    code = ("import sys, dxstudy, dxstudy.paths, dxstudy.text.normalize\n"
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_modules_are_small_and_say_what_they_hold():
    problems = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > 450:
            problems.append(f"{module}: {len(lines)} lines")
        if not lines or not lines[0].startswith(("#", '"""')):
            problems.append(f"{module}: no header comment or docstring")
    assert problems == []


#: What an analysis module must not do: read or write files, or build HTML.
IMPURE = re.compile(r"\bopen\(|read_csv|to_csv|read_excel|to_excel|\.read_text\(|\.write_text\(|"
                    r"^import html|^from html|<(div|table|p|ul|li|span)\b", re.M)


def test_analysis_is_pure():
    hits = []
    for module, path in MODULES.items():
        if module.startswith("dxstudy.analysis"):
            for m in IMPURE.finditer(path.read_text(encoding="utf-8")):
                hits.append(f"{module}: {m.group(0)!r}")
    assert hits == []


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, text) of lines that carry code: no blanks, comments, imports or lone brackets."""
    kept = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = " ".join(line.split())
        if (not text or text.startswith(("#", "import ", "from ")) or text in {")", "]", "}", "),", "],", "},",
                                                                                 '"""', "else:", "try:"}):
            continue
        kept.append((number, text))
    return kept


def _repeated_blocks(paths: list[Path], size: int = 6) -> list[str]:
    seen: dict[tuple[str, ...], tuple[Path, int]] = {}
    repeats: dict[tuple[Path, int], tuple[Path, int]] = {}
    for path in paths:
        lines = _code_lines(path)
        for i in range(len(lines) - size + 1):
            block = tuple(text for _, text in lines[i:i + size])
            where = (path, lines[i][0])
            if block in seen and seen[block] != where:
                first = seen[block]
                # report one row per pair of places, not one per overlapping window
                if not any(abs(prev_b[1] - where[1]) < size and prev_b[0] == path and abs(prev_a[1] - first[1]) < size
                           for prev_b, prev_a in repeats.items()):
                    repeats[where] = first
            else:
                seen.setdefault(block, where)
    return [f"{b[0].relative_to(ROOT)}:{b[1]} repeats {a[0].relative_to(ROOT)}:{a[1]}" for b, a in repeats.items()]


def test_the_repeat_finder_finds_a_repeat(tmp_path):
    block = "".join(f"x{i} = compute({i})\n" for i in range(6))
    one, two = tmp_path / "one.py", tmp_path / "two.py"
    one.write_text("a = 1\n" + block, encoding="utf-8")
    two.write_text(block + "b = 2\n", encoding="utf-8")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _repeated_blocks([one, two]) == ["two.py:1 repeats one.py:2"]
    finally:
        ROOT = saved


def test_no_block_of_six_lines_is_repeated_in_the_package():
    assert _repeated_blocks(sorted(PACKAGE.rglob("*.py"))) == []


@pytest.mark.parametrize("name", ["read_report", "load_tables", "load_all_years", "run_batch"])
def test_public_api_names_resolve(name):
    import dxstudy

    assert callable(getattr(dxstudy, name))
