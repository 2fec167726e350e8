"""The consumer's pinned serving environment, built once under .local/ for the tests.

OpenCHS ai_service serves with transformers 4.53.3, tokenizers 0.21.2 and safetensors 0.5.3
(DESIGN.md). `ensure()` builds a virtual environment with exactly those (and what they
depend on) in .local/serving-venv-4.53.3 and returns its python; a finished one is reused.

Torch is not installed again (hundreds of MB): the venv sees the main venv's torch, and the
pure-Python packages torch imports, through a folder of symlinks named in a .pth file. Only
those: the main venv's transformers 5.x must stay out of sight. The folder holds the
packages' code and, for torch, a copy of its METADATA alone (transformers looks torch up by
its metadata), never a RECORD, so pip can neither see the linked dependencies as installed
nor uninstall anything through the links into the main venv.
"""

from __future__ import annotations

import fcntl
import importlib.metadata as md
import json
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PINS = ("transformers==4.53.3", "tokenizers==0.21.2", "safetensors==0.5.3")
VENV = REPO / ".local" / "serving-venv-4.53.3"
LINKED = ("torch", "sympy", "mpmath", "networkx", "jinja2", "markupsafe")  # torch and what it imports
READY = ".ready.json"

# pip's words when it could not reach an index (as opposed to an install that broke).
_OFFLINE = re.compile(r"No matching distribution found|Could not find a version|NewConnectionError|"
                      r"Max retries exceeded|Temporary failure in name resolution|Network is unreachable|"
                      r"ConnectTimeout|ReadTimeout|ProxyError|SSLError", re.I)


class IndexUnreachable(RuntimeError):
    """The package index could not be reached: the caller skips (a clear reason, not a failure)."""


def python(root: Path = VENV) -> Path:
    return root / "bin" / "python"


def _marker() -> dict:
    return {"pins": list(PINS), "torch": md.version("torch"), "python": sys.version.split()[0]}


def _link_torch(site: Path) -> None:
    links = site.parent / "main-venv-torch"
    links.mkdir(exist_ok=True)
    for name in LINKED:
        dist = md.distribution(name)
        tops = {f.parts[0] for f in dist.files or [] if f.parts[0] not in ("..", "bin")
                and not f.parts[0].endswith((".dist-info", ".egg-info")) and not f.parts[0].endswith(".pth")}
        for top in tops:
            src = Path(dist.locate_file(top))
            if src.exists() and not (links / top).exists():
                (links / top).symlink_to(src)
        if name == "torch":
            meta = links / f"torch-{dist.version}.dist-info"
            meta.mkdir(exist_ok=True)
            (meta / "METADATA").write_text(dist.read_text("METADATA") or "")
    (site / "main-venv-torch.pth").write_text(str(links) + "\n")


def _build(root: Path) -> None:
    if root.exists():
        shutil.rmtree(root)
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    site = next((root / "lib").glob("python3*/site-packages"))
    _link_torch(site)
    # The main venv's pip installs into the new environment (--python): no ensurepip step.
    cmd = [sys.executable, "-m", "pip", "--python", str(python(root)), "install", "--no-input",
           "--disable-pip-version-check", "--timeout", "30", "--retries", "2", *PINS]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        tail = " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
        shutil.rmtree(root, ignore_errors=True)
        if _OFFLINE.search(proc.stderr + proc.stdout):
            raise IndexUnreachable(tail)
        raise RuntimeError(f"pip could not build {root.name}: {tail}")
    (root / READY).write_text(json.dumps(_marker()))


def ensure(root: Path = VENV) -> Path:
    """The serving venv's python, built on first use (a lock keeps parallel runs from racing)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ready = root / READY
        if not (ready.is_file() and json.loads(ready.read_text()) == _marker() and python(root).exists()):
            _build(root)
    return python(root)


def run_module(py: Path, module: str, args: list[str], stdin: str, timeout: int = 300) -> subprocess.CompletedProcess:
    """`py -m module args` with only include/ added to the path (none of the main venv's site)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update({"PYTHONPATH": str(REPO / "include"), "PYTHONNOUSERSITE": "1", "HF_HUB_OFFLINE": "1",
                "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    return subprocess.run([str(py), "-m", module, *args], input=stdin, capture_output=True, text=True,
                          timeout=timeout, env=env)
