"""Airflow processes the integration and browser tests start: a free port, an API server."""

from __future__ import annotations

import socket
import subprocess
import sys
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
