"""The import graph of ner_pipeline: no cycle between rooms, no import against the layer order.

Every import counts, function-local and TYPE_CHECKING ones included (read with ast, nothing is
imported). A room is a package (train, evaluate, tokens, ...) or a top-level module; command
modules (`commands.py`, `*_commands.py`, wherever they sit) are the room `commands`: argparse
wiring that cli.py collects. docs/ARCHITECTURE.md shows the same order.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ner_pipeline

ROOT = Path(ner_pipeline.__file__).parent

# Bottom first. A room imports rooms of its own layer (without a cycle) or below, never above.
LAYERS: list[tuple[str, ...]] = [
    ("__init__", "errors", "safepath", "records", "jsonl", "words", "timestamps"),
    ("config_sources", "config_section", "config_gate", "config"),
    ("layout",),
    ("localstore", "storage_client", "storage_probe", "storage_stream", "storage", "storage_transfer"),
    ("ingest", "split", "snapshots", "discovery", "k8s", "schedule"),
    ("synth", "validate", "conventions"),
    ("tokens", "runtime", "metrics"),
    ("train", "evaluate"),
    ("modelcard", "registry_files", "registry_history", "registry_runs", "registry", "promotion",
     "approval_review", "approval", "approval_operator"),
    ("annotation", "stages", "localrun", "ui"),
    ("cli_common",),
    ("commands",),
    ("cli",),
]

# Same layer, yet neither may import the other: what they share lives below (tokens, metrics, runtime).
INDEPENDENT = {("train", "evaluate")}

# Edges (importing module, imported room) allowed against the order for now; each must still exist.
KNOWN: set[tuple[str, str]] = set()


def room(module: str) -> str:
    last = module.rsplit(".", 1)[-1]
    if last == "commands" or last.endswith("_commands"):
        return "commands"
    return module.split(".", 1)[0]


def _imported(node: ast.AST, parts: list[str], is_pkg: bool) -> list[str]:
    """Modules (dotted, below ner_pipeline) an import statement names."""
    if isinstance(node, ast.Import):
        return [a.name.split(".", 1)[1] for a in node.names if a.name.startswith("ner_pipeline.")]
    if not isinstance(node, ast.ImportFrom):
        return []
    module = node.module
    if node.level:
        base = parts if is_pkg else parts[:-1]
        base = base[: len(base) - (node.level - 1)]
    elif module and (module + ".").startswith("ner_pipeline."):
        base, module = [], module.partition(".")[2] or None
    else:
        return []
    if module:
        return [".".join(base + [module])]
    return [".".join(base + [a.name]) for a in node.names]  # from . import x, y


def module_imports() -> dict[str, set[str]]:
    """Module (dotted, below ner_pipeline; a package's __init__ by its own name) -> what it imports."""
    out: dict[str, set[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        if is_pkg and len(parts) > 1:
            parts = parts[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        out[".".join(parts)] = {m for node in ast.walk(tree) for m in _imported(node, parts, is_pkg) if m}
    return out


def room_edges(imports: dict[str, set[str]]) -> dict[tuple[str, str], set[str]]:
    """(room, imported room) -> the modules that import across, known edges left out."""
    edges: dict[tuple[str, str], set[str]] = {}
    for mod, targets in imports.items():
        for target in targets:
            a, b = room(mod), room(target)
            if a != b and (mod, b) not in KNOWN:
                edges.setdefault((a, b), set()).add(mod)
    return edges


def layer_of() -> dict[str, int]:
    return {r: i for i, layer in enumerate(LAYERS) for r in layer}


def cycles(edges: dict[tuple[str, str], set[str]]) -> list[list[str]]:
    """One cycle through each room that is on one (depth-first search)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    found: list[list[str]] = []
    on_cycle: set[str] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt == path[0]:
                found.append(path + [nxt])
                on_cycle.update(path)
            elif nxt not in path and nxt > path[0]:  # each cycle once: from its smallest room
                walk(nxt, path + [nxt])

    for start in sorted(graph):
        if start not in on_cycle:
            walk(start, [start])
    return found


def test_every_room_has_a_layer():
    rooms = {room(m) for m in module_imports()}
    missing = sorted(rooms - set(layer_of()))
    assert not missing, f"place these in LAYERS (and docs/ARCHITECTURE.md): {missing}"
    assert len(layer_of()) == sum(len(layer) for layer in LAYERS), "a room is in two layers"


def test_no_import_against_the_layer_order():
    layer = layer_of()
    upward = {f"{a} -> {b} ({', '.join(sorted(mods))})" for (a, b), mods in room_edges(module_imports()).items()
              if layer.get(b, -1) > layer.get(a, -1)}
    assert not upward, "imports pointing up the layers:\n" + "\n".join(sorted(upward))


def test_no_cycle_between_rooms():
    found = cycles(room_edges(module_imports()))
    assert not found, "cycles: " + "; ".join(" -> ".join(c) for c in found)


def test_independent_rooms_do_not_import_each_other():
    edges = room_edges(module_imports())
    crossing = {f"{a} -> {b}: {sorted(edges[(a, b)])}" for x, y in INDEPENDENT for a, b in ((x, y), (y, x))
                if (a, b) in edges}
    assert not crossing, "\n".join(sorted(crossing))


def test_known_edges_still_exist():
    """Once an owner fixes one of these, drop it from its set (so it cannot come back unseen)."""
    imports = module_imports()
    gone = sorted(f"{m} -> {r}" for m, r in KNOWN if not any(room(t) == r for t in imports.get(m, ())))
    assert not gone, f"no longer imported, remove from KNOWN_UNTIL_*: {gone}"


def test_the_reader_sees_function_local_imports(tmp_path):
    """The graph's reader resolves relative, absolute and function-local imports."""
    src = "from ..metrics import score\nfrom . import windows\n\ndef f():\n    from ner_pipeline.cli import main\n"
    tree = ast.parse(src)
    got = {m for node in ast.walk(tree) for m in _imported(node, ["tokens", "decode"], False)}
    assert got == {"metrics", "tokens.windows", "cli"}
    assert room("evaluate.commands") == room("registry_commands") == "commands"
    assert cycles({("a", "b"): set(), ("b", "a"): set(), ("b", "c"): set()}) == [["a", "b", "a"]]
