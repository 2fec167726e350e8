"""Airflow processes the integration, browser and compose tests start: a free port, an API server,
and the one wait-until-ready loop they share."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def api_server_process(env: dict[str, str], port: int, log_path: Path):
    """`airflow api-server` on 127.0.0.1:<port> (one worker), output to log_path; stopped (this
    process only, by its handle) when the block ends."""
    log = open(log_path, "wb")
    server = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "api-server", "-H", "127.0.0.1",
                               "-p", str(port), "-w", "1"], env=env, stdout=log, stderr=subprocess.STDOUT,
                              start_new_session=True)
    try:
        yield server
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def wait_until(what: str, probe, timeout: float, *alive: subprocess.Popen, every: float = 2.0):
    """probe() until it returns something truthy (returned), failing at once if one of `alive` has
    exited; an OSError from probe (a server not listening yet) counts as not yet."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for p in alive:
            assert p.poll() is None, f"{p.args[1:3]} exited with {p.returncode} while waiting for {what}"
        try:
            got = probe()
        except OSError as exc:
            last = exc
        else:
            if got:
                return got
        time.sleep(every)
    raise TimeoutError(f"no {what} within {timeout:.0f}s (last error: {last})")
