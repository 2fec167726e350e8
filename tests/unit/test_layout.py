"""The object layout (include/ner_pipeline/layout.py): every key as it was spelled before layout
owned them (stored data keeps working), and no other module spelling one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ner_pipeline import layout
from ner_pipeline.config import load_settings
from ner_pipeline.layout import OutputPaths, RunPaths, SnapshotPaths, VersionPaths

REPO = Path(__file__).resolve().parents[2]
RUN = "manual__2025-03-01T10:00:00+00:00"


@pytest.fixture(params=["", "team-a/"])
def settings(request):
    s = load_settings("local", environ={})
    return s.model_copy(update={"storage": s.storage.model_copy(update={"prefix": request.param})})


def test_run_keys_are_the_ones_stored_before(settings):
    rk = layout.run_key(RUN)
    p = RunPaths(RUN)
    k = settings.key
    old = {  # how stages.py, registry_commands.py, approval.py and ui/data.py spelled them
        p.validation: k("validation", rk), p.validation_report: k("validation", rk) + "/report.json",
        p.validation_audit: k("validation", rk) + "/audit.jsonl", p.data_docs: k("validation", rk) + "/data_docs",
        p.data_docs_index: k("validation", rk) + "/data_docs/index.html",
        p.quarantine: k("quarantine", rk, "quarantine.jsonl"), p.accepted: k("runs", rk, "accepted.jsonl"),
        p.train: k("runs", rk, "train"), p.metrics: k("runs", rk, "evaluation") + "/metrics.json",
        p.champion_metrics: k("runs", rk, "evaluation") + "/champion_metrics.json",
        p.confusion: k("runs", rk, "evaluation") + "/confusion.json",
        p.model_files: k("runs", rk, "evaluation") + "/model_files.json",
        p.blessing: k("runs", rk, "gate", "blessing.json"), p.summary: k("runs", rk, "summary.json"),
        p.approval_request: k("runs/{run}/approval/request.json".format(run=rk)),
    }
    assert {k(new): was for new, was in old.items()} == {was: was for was in old.values()}
    assert settings.uri(p.train) + "/" == settings.uri("runs", rk, "train") + "/"
    assert RunPaths.for_key(rk).summary == p.summary
    assert [c.rk for c in RunPaths.candidates(rk)] == [layout.run_key(rk), rk]  # a pasted run key


def test_snapshot_registry_and_state_keys_are_the_ones_stored_before(settings):
    k = settings.key
    assert k(layout.LATEST_SNAPSHOT) == k("datasets/latest.json")
    assert k(SnapshotPaths.of("s1").root) == k("datasets", "s1")
    assert k(SnapshotPaths.of("s1").manifest) == k("datasets", "s1") + "/manifest.json"
    assert k(SnapshotPaths.of("s1").split("test")) == k("datasets", "s1") + "/test.jsonl"
    assert (k(layout.CHAMPION), k(layout.HISTORY), k(layout.VERSIONS)) == (
        k("models/ner/champion.json"), k("models/ner/history.jsonl"), k("models/ner/versions"))
    v = VersionPaths("v1")
    assert k(v.root) + "/" == k("models/ner/versions", "v1") + "/"
    assert (k(v.marker), k(v.metrics), k(v.model_card)) == tuple(
        k("models/ner/versions", "v1") + "/" + n for n in ("_COMPLETE.json", "metrics.json", "model_card.md"))
    assert k(layout.run_map("r")) == k("models/ner/runs", layout.run_hash("r")[:32] + ".json")
    assert (k(layout.PROCESSED), k(layout.LAST_RUN)) == (k("state/processed.json"), k("state/last_run.json"))
    assert layout.PROBE_PREFIX == "state/conditional-write-probe/"
    assert OutputPaths("x").success == "x/_SUCCESS" and OutputPaths("x").model == "x/model"
    src = settings.sources.synthetic_prefix
    assert k(layout.synthetic_batch(src, RUN, 7, 10)) == k(src, f"synth-{layout.run_key(RUN)}-seed7-n10.jsonl")
    assert k(layout.incoming_file(settings.sources.real_prefix, "ab.jsonl")) == k(settings.sources.real_prefix, "ab.jsonl")


# -- only layout.py spells a key ---------------------------------------------------------------

SCANNED = ("include/ner_pipeline", "dags", "plugins")
OWNER = "include/ner_pipeline/layout.py"
# config.py: the incoming prefixes are settings (sources.*_prefix) and their defaults live there.
ALLOWED = {OWNER: None, "include/ner_pipeline/config.py": ("incoming/",)}
TOP = ("runs/", "datasets/", "validation/", "quarantine/", "state/", "models/ner", "incoming/")
TOP_SEGMENTS = {"runs", "datasets", "validation", "quarantine", "state", "models", "models/ner", "incoming"}


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def key_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string that starts like a key ("runs/...", f"datasets/{x}") and of
    every .key()/.uri() call whose first part is a top-level folder ("runs", rk, ...). Docstrings
    and text with a <placeholder> (help and messages that describe a key) are not keys."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            if node.value.startswith(TOP) and "<" not in node.value:
                found.append((node.lineno, node.value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("key", "uri"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and first.value in TOP_SEGMENTS:
                found.append((node.lineno, f".{node.func.attr}({first.value!r}, ...)"))
    return found


def test_the_scan_finds_keys_spelled_by_hand():
    src = 'K = "runs/" + rk\nstore.key("validation", rk)\nsettings.uri("runs", rk, "train")\nf"datasets/{x}/m.json"\n'
    assert sorted(line for line, _ in key_literals(src)) == [1, 2, 3, 4]
    assert key_literals('"""runs/<rk>/ in a docstring"""\nhelp = "default: runs/<run>/train/"\nx = "validation"\n') == []


def test_no_module_but_layout_spells_an_object_key():
    offenders = []
    for root in SCANNED:
        for path in sorted((REPO / root).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            allowed = ALLOWED.get(rel, ())
            if allowed is None:
                continue
            for line, text in key_literals(path.read_text(encoding="utf-8")):
                if not text.startswith(allowed):
                    offenders.append(f"{rel}:{line}: {text}")
    assert not offenders, "object keys belong in layout.py:\n" + "\n".join(offenders)
