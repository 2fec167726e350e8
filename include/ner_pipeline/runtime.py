"""Device, precision, threads and seeds: decided once, recorded in run.json and the task log.

Shared by training (train/) and prediction (evaluate/predict.py), which runs as training chose.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CpuFeatures:
    """What torch's own capability queries (cpuinfo, as oneDNN sees the CPU) report."""

    capability: str  # ATen's dispatch level: "AVX512", "AVX2", "DEFAULT", ...
    mkldnn: bool  # oneDNN built in and usable
    amx_bf16: bool  # AMX tiles (Sapphire Rapids and later): oneDNN's fastest bf16 path
    avx512_bf16: bool  # native bf16 dot products (Cooper Lake, Zen 4 and later)

    @property
    def fast_bf16(self) -> bool:
        return self.mkldnn and (self.amx_bf16 or self.avx512_bf16)

    @classmethod
    def detect(cls) -> "CpuFeatures":
        import torch

        def ask(name: str) -> bool:
            fn = getattr(torch.cpu, name, None)  # private in 2.x, hence the guard
            try:
                return bool(fn()) if fn else False
            except RuntimeError:
                return False

        return cls(capability=torch.backends.cpu.get_cpu_capability(),
                   mkldnn=torch.backends.mkldnn.is_available(),
                   amx_bf16=ask("_is_amx_tile_supported"), avx512_bf16=ask("_is_avx512_bf16_supported"))


@dataclass(frozen=True)
class Runtime:
    device: str  # "cuda" | "cpu"
    device_name: str
    precision: str  # "bf16" | "fp16" | "fp32"
    world_size: int
    threads: int
    precision_reason: str = ""
    cpu: dict[str, Any] = field(default_factory=dict)  # CpuFeatures as a dict (CPU runs)
    malloc_tuned: bool = False  # keep_freed_memory() took effect

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def cpu_bf16(self) -> bool:
        """bf16 autocast on the CPU (the Trainer's bf16 flag means the same on CPU)."""
        return self.device == "cpu" and self.precision == "bf16"


def choose_precision(requested: str, cuda: bool, bf16_ok: bool, cpu: CpuFeatures | None = None) -> tuple[str, str]:
    """(precision, why). auto: bf16 on a GPU that has it, else fp16 there; on a CPU bf16
    autocast only where oneDNN runs bf16 natively (AMX or AVX512-BF16: 1.8-2.2x fp32 measured
    on a Xeon), fp32 elsewhere (emulated bf16 ran 10x slower than fp32 on an AVX2 EPYC)."""
    if requested != "auto":
        return requested, f"requested {requested}"
    if cuda:
        return ("bf16", "GPU supports bf16") if bf16_ok else ("fp16", "GPU lacks bf16")
    if cpu is not None and cpu.fast_bf16:
        kind = "AMX-BF16" if cpu.amx_bf16 else "AVX512-BF16"
        return "bf16", f"CPU has {kind} (oneDNN native bf16)"
    have = cpu.capability if cpu is not None else "unknown"
    return "fp32", f"CPU lacks AMX-BF16/AVX512-BF16 ({have}): bf16 would be emulated"


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc mallopt parameters


def keep_freed_memory() -> bool:
    """Make glibc keep freed activation buffers for reuse instead of unmapping them.

    A training step allocates and frees buffers of tens of MB; glibc maps each one fresh from
    the kernel (zeroed page by page) and returns it on free. On the 2-core machine that was 15%
    of a MiniLM step's CPU time in the kernel; these settings cut the system time 4x. Same as
    MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ in the environment, but applies to this process
    however it was started (pod, subprocess, Airflow worker). False where libc is not glibc.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)  # the largest glibc accepts
    ok &= mallopt(_M_TRIM_THRESHOLD, 2**30)
    ok &= mallopt(_M_TOP_PAD, 64 * 2**20)
    return bool(ok)


def detect_runtime(precision: str = "auto", threads: int | None = None, *, device: str = "auto") -> Runtime:
    """device: auto | cpu | cuda (cpu forces the CPU even where a GPU is visible)."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    malloc_tuned = keep_freed_memory()
    cuda = torch.cuda.is_available() and device != "cpu"
    if device == "cuda" and not cuda:
        raise RuntimeError("no CUDA device visible")
    bf16_ok = cuda and torch.cuda.is_bf16_supported()
    cpu = None if cuda else CpuFeatures.detect()
    chosen, why = choose_precision(precision, cuda, bf16_ok, cpu)
    return Runtime(
        device="cuda" if cuda else "cpu",
        device_name=torch.cuda.get_device_name(0) if cuda else cpu_name(),
        precision=chosen,
        world_size=int(os.environ.get("WORLD_SIZE", "1")),
        threads=torch.get_num_threads(),
        precision_reason=why,
        cpu=asdict(cpu) if cpu else {},
        malloc_tuned=malloc_tuned,
    )


def cpu_name() -> str:
    """The CPU's model name for run.json (display only; decisions use CpuFeatures)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def seed_everything(seed: int, deterministic: bool) -> None:
    """Seed python/numpy/torch; on CPU also ask torch for deterministic kernels (cheap there;
    on GPU it would cost speed and need CUBLAS_WORKSPACE_CONFIG, so GPU runs are seeded only).
    Deterministic mode also fills every new tensor with NaN by default, an extra write of each
    activation and gradient per step that buys nothing for determinism: switched off."""
    import torch
    from transformers import set_seed

    set_seed(seed)
    if deterministic:
        torch.use_deterministic_algorithms(True, warn_only=True)
        torch.utils.deterministic.fill_uninitialized_memory = False


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


def pad_multiple(rt: Runtime) -> int | None:
    """Pad each batch's length up to a multiple of this, where kernels are built per shape.

    GPU: 64, a handful of shapes instead of hundreds (each new shape costs kernel selection and
    allocator work) and aligned attention masks for the fused SDPA kernels. CPU with bf16
    autocast: 32, since oneDNN JIT-compiles its AMX/AVX512-BF16 matmul kernels for each new
    shape (32 bf16 = one 64-byte tile row). CPU fp32 runs MKL/oneDNN kernels that take any
    shape, and every padded token is paid for: pad to the longest only.
    """
    if rt.device == "cuda":
        return 64
    return 32 if rt.precision == "bf16" else None
