"""Layering: no module imports a later stage of the pipeline (checked over the import graph, lazy imports too)."""

from __future__ import annotations

import ast
from pathlib import Path

import traitrl

# Each layer may import itself and the layers before it. `report` renders results and imports nothing of the
# pipeline, so the experiment runner (which writes the report at the end of a run) sits above it.
LAYERS = [
    {"types", "text", "endpoints", "errors", "files", "settings", "provenance", "models", "results", "__init__"},
    {"catalog"},
    {"scenarios"},
    {"grading"},
    {"constitution"},
    {"training"},
    {"evals"},
    {"report"},
    {"experiments"},
    {"integrations", "export", "cli"},
]


def _imports(root: Path) -> list[tuple[str, str, str]]:
    out = []
    for f in root.rglob("*.py"):
        top = f.relative_to(root).parts[0].removesuffix(".py")
        for node in ast.walk(ast.parse(f.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            out += [(str(f.relative_to(root)), top, n.split(".")[1]) for n in names
                    if n.startswith("traitrl.") and len(n.split(".")) > 1]
    return out


def test_no_module_imports_a_later_stage():
    root = Path(traitrl.__file__).parent
    rank = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    tops = {p.name.removesuffix(".py") for p in root.iterdir() if not p.name.startswith(("_", "."))} - {"py.typed"}
    assert tops <= set(rank), f"packages missing from LAYERS: {sorted(tops - set(rank))}"
    upward = [(f, target) for f, top, target in _imports(root) if rank[target] > rank[top]]
    assert not upward, upward
