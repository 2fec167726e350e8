"""The Docker side of `make compose-test`: the engine, the local base images, docker-compose.

Docker Hub is out of reach on the test machine, so the official bases are replaced by local
stand-ins built from Debian's own packages (debootstrap, then `docker import`), each cached under a
tag that names what it was built from: a second run builds nothing it already has. Only the
dockerd this process started is stopped, by its pid.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEBIAN_IMAGE = "ner-local/debian:bookworm-minbase"
LOCAL_DOCKERFILE = HERE / "local-images.Dockerfile"
# Cheapest first: the classic builder builds every stage before its target.
LOCAL_TARGETS = ("postgres", "seaweedfs", "awscli", "airflow", "torch")


def say(msg: str) -> None:
    print(f"[compose-test {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], *, log: Path | None = None, env: dict[str, str] | None = None, timeout: float = 1800,
        input_bytes: bytes | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Run a command; its output goes to `log` (appended) when given. On failure the error names
    the command and ends with the output's last lines."""
    proc = subprocess.run(cmd, env=env, input=input_bytes, capture_output=True, timeout=timeout)
    out = proc.stdout + proc.stderr
    if log is not None:
        with open(log, "ab") as fh:
            fh.write(f"$ {' '.join(cmd)}\n".encode() + out + b"\n")
    if check and proc.returncode != 0:
        tail = out.decode(errors="replace")[-3000:]
        raise RuntimeError(f"{' '.join(cmd[:4])} ... exited with {proc.returncode}:\n{tail}")
    return proc


def docker_answers() -> bool:
    return subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode == 0


@contextmanager
def docker_engine(log_dir: Path):
    """A running Docker engine: the one already running, else a dockerd started here and stopped
    (that process only, by its pid) when the block ends."""
    if docker_answers():
        say("Docker engine already running: using it")
        yield
        return
    dockerd = shutil.which("dockerd")
    if dockerd is None:
        raise RuntimeError("no dockerd: apt-get install docker.io (make compose-test does)")
    log = open(log_dir / "dockerd.log", "wb")
    proc = subprocess.Popen([dockerd], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    say(f"started dockerd (pid {proc.pid})")
    try:
        deadline = time.monotonic() + 60
        while not docker_answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dockerd did not come up; see {log_dir / 'dockerd.log'}")
            time.sleep(1)
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        say(f"stopped dockerd (pid {proc.pid})")


def image_exists(tag: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0


def ensure_debian_base(log: Path) -> None:
    """A minimal Debian bookworm image from Debian's own packages, made once."""
    if image_exists(DEBIAN_IMAGE):
        say(f"{DEBIAN_IMAGE}: cached")
        return
    if shutil.which("debootstrap") is None:
        raise RuntimeError("no debootstrap: apt-get install debootstrap (make compose-test does)")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ner-debootstrap-") as root:
        run(["debootstrap", "--variant=minbase", "bookworm", root, "http://deb.debian.org/debian"], log=log)
        tar = subprocess.run(["tar", "-C", root, "-c", "."], capture_output=True, check=True).stdout
        run(["docker", "import", "-", DEBIAN_IMAGE], log=log, input_bytes=tar)
    say(f"{DEBIAN_IMAGE}: built with debootstrap in {time.monotonic() - t0:.0f}s")


def host_ca_bundle() -> Path:
    """The CA bundle this machine trusts: registries are reached through its TLS egress, so the
    images must trust what the host does."""
    for cand in (os.environ.get("PIP_CERT"), os.environ.get("SSL_CERT_FILE"),
                 ssl.get_default_verify_paths().openssl_cafile, "/etc/ssl/certs/ca-certificates.crt"):
        if cand and Path(cand).is_file():
            return Path(cand)
    raise RuntimeError("no CA bundle found on the host")


def torch_version() -> str:
    import torch

    return torch.__version__  # e.g. 2.13.0+cpu: the images get the very build the venv has


def local_tag() -> str:
    """Names what the local images are built from: their Dockerfile, the postgres entrypoint,
    the torch build and the host's CA bundle. Changes to any of them rebuild; nothing else does."""
    h = hashlib.sha256()
    for part in (LOCAL_DOCKERFILE.read_bytes(), (HERE / "postgres-entrypoint.sh").read_bytes(),
                 torch_version().encode(), host_ca_bundle().read_bytes()):
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:12]


def ensure_local_images(tag: str, log: Path) -> None:
    """ner-local/<target>:<tag> for every stand-in, built in a context of their own."""
    missing = [t for t in LOCAL_TARGETS if not image_exists(f"ner-local/{t}:{tag}")]
    if not missing:
        say(f"local stand-in images ({', '.join(LOCAL_TARGETS)}) :{tag}: cached")
        return
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ner-local-images-") as ctx:
        ctx_path = Path(ctx)
        for name in (LOCAL_DOCKERFILE.name, "postgres-entrypoint.sh"):
            shutil.copy2(HERE / name, ctx_path / name)
        shutil.copyfile(host_ca_bundle(), ctx_path / "host-ca.crt")
        wheels = ctx_path / "wheels"
        wheels.mkdir()
        # pip finds the CPU build where the venv's came from (local disk here), not PyPI's CUDA one.
        run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(wheels),
             f"torch=={torch_version()}"], log=log)
        for target in missing:
            run(["docker", "build", "--force-rm", "-f", str(ctx_path / LOCAL_DOCKERFILE.name), "--build-arg", f"DEBIAN_IMAGE={DEBIAN_IMAGE}",
                 "--target", target, "-t", f"ner-local/{target}:{tag}", ctx], log=log,
                env={**os.environ, "DOCKER_BUILDKIT": "0"})
    say(f"local stand-in images {', '.join(missing)} :{tag}: built in {time.monotonic() - t0:.0f}s")


class Compose:
    """docker-compose over docker-compose.yaml and the test override, as one project."""

    def __init__(self, project: str, env: dict[str, str], log: Path) -> None:
        self.project, self.env, self.log = project, env, log
        self.files = [REPO / "docker-compose.yaml", HERE / "docker-compose.test.yaml"]

    def __call__(self, *args: str, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess:
        cmd = ["docker-compose", "--no-ansi", "-p", self.project]
        for f in self.files:
            cmd += ["-f", str(f)]
        return run([*cmd, *args], log=self.log, env=self.env, timeout=timeout, check=check)

    def container(self, service: str) -> str:
        return self("ps", "-q", service).stdout.decode().strip()

    def exit_code(self, service: str) -> int:
        cid = self.container(service)
        out = run(["docker", "inspect", "-f", "{{.State.ExitCode}} {{.State.Status}}", cid]).stdout.decode().split()
        assert out[1] == "exited", f"{service} is {out[1]}, not exited"
        return int(out[0])

    @property
    def network(self) -> str:
        return f"{self.project}_default"
