"""Device, precision, threads and seeds: decided once, recorded in run.json."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Runtime:
    device: str  # "cuda" | "cpu"
    device_name: str
    precision: str  # "bf16" | "fp16" | "fp32"
    world_size: int
    threads: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def choose_precision(requested: str, cuda: bool, bf16_ok: bool) -> str:
    """auto: bf16 where the GPU has it, else fp16 on GPU, fp32 on CPU (CPU half precision is
    slower than fp32 for training on most CPUs)."""
    if requested != "auto":
        return requested
    if not cuda:
        return "fp32"
    return "bf16" if bf16_ok else "fp16"


def detect_runtime(precision: str = "auto", threads: int | None = None) -> Runtime:
    import torch

    if threads:
        torch.set_num_threads(threads)
    cuda = torch.cuda.is_available()
    bf16_ok = cuda and torch.cuda.is_bf16_supported()
    if cuda:
        name = torch.cuda.get_device_name(0)
    else:
        name = platform.processor() or platform.machine()
    return Runtime(
        device="cuda" if cuda else "cpu",
        device_name=name,
        precision=choose_precision(precision, cuda, bf16_ok),
        world_size=int(os.environ.get("WORLD_SIZE", "1")),
        threads=torch.get_num_threads(),
    )


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed python/numpy/torch; on CPU also ask torch for deterministic kernels (cheap there;
    on GPU it would cost speed and need CUBLAS_WORKSPACE_CONFIG, so GPU runs are seeded only)."""
    import torch
    from transformers import set_seed

    set_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def versions() -> dict[str, str]:
    import torch
    import transformers

    return {"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__}


def git_commit(start: Path | None = None) -> str | None:
    """The code's commit: GIT_COMMIT from the image build, else `git rev-parse` beside the code."""
    if os.environ.get("GIT_COMMIT"):
        return os.environ["GIT_COMMIT"]
    where = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
