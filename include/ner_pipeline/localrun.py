"""The embedded local default behind `make run`: store up, bucket, seed data, one DAG run.

Everything here is what a newcomer would otherwise type by hand; the DAG itself runs with
`airflow dags test` (SQLite, in-process), exactly the DAG that production schedules.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .config import Settings
from .localstore import LocalStore, local_store

REPO = Path(__file__).resolve().parents[2]
LOCAL = REPO / ".local"


def airflow_env(settings: Settings, store: LocalStore | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "AIRFLOW_HOME": env.get("AIRFLOW_HOME") or str(LOCAL / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": env.get("AIRFLOW__CORE__UNIT_TEST_MODE", "False"),
        "HF_HUB_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
        "NO_PROXY": "*",  # macOS/proxy setups: never route 127.0.0.1 through a proxy
        # `airflow standalone` starts its scheduler, API server, ... as `airflow` from PATH: the
        # venv's bin first, so `make up` works from a plain shell with no venv activated.
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH") or os.defpath]),
    })
    if store is not None:
        env.update(store.credentials())
    return env


def ensure_store(settings: Settings) -> LocalStore:
    store = local_store(settings)
    if not store.running():
        print(f"starting SeaweedFS on 127.0.0.1:{store.port} (data in {store.data_dir})", flush=True)
        store.start()
    os.environ.update(store.credentials())
    from .storage import ObjectStore

    ObjectStore(settings).ensure_bucket()
    return store


def seed_if_empty(settings: Settings) -> dict | None:
    """Put a synthetic batch into incoming/synthetic/ when discovery would find nothing new."""
    from . import discovery, stages
    from .storage import ObjectStore

    store = ObjectStore(settings)
    if discovery.discover(store, settings, list(settings.sources.include)):
        return None
    # A new seed per batch so a second `make run` brings genuinely new transcripts.
    state, _ = discovery.load_state(store)
    seed = settings.synth.seed + len(state.get("files", {}))
    return stages.generate_synthetic(settings, f"seed-{seed}", seed=seed)


def migrate_db(env: dict[str, str]) -> None:
    home = Path(env["AIRFLOW_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    marker = home / ".migrated"
    if marker.exists() and (home / "airflow.db").exists():
        return
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    marker.write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))


def run_dag(env: dict[str, str], conf: dict | None = None, log_file: Path | None = None) -> int:
    cmd = [str(Path(sys.executable).parent / "airflow"), "dags", "test", "ner_retraining"]
    if conf:
        cmd += ["-c", json.dumps(conf)]
    if log_file is None:
        return subprocess.run(cmd, env=env).returncode
    log_file.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    with open(log_file, "wb") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        for line in proc.stdout:
            fh.write(line)
            shown = progress_line(line.decode("utf-8", "replace"))
            if shown:
                if shown.startswith("->"):  # where the minutes go, at a glance
                    shown = f"{shown:<24} [{time.monotonic() - t0:5.0f} s]"
                sys.stdout.write(shown + "\n")
                sys.stdout.flush()
        code = proc.wait()
        sys.stdout.write(f"   airflow dags test finished in {time.monotonic() - t0:.0f} s\n")
        return code


_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\w+)")
_OUR_LOG = re.compile(r"\[(?:info|warning|error)\s*\]\s+(.*?)\s+\[ner_pipeline[\w.]*\]")


def progress_line(line: str) -> str | None:
    """What a person waiting on `make run` wants from Airflow's log: task starts, the
    pipeline's own one-line messages (counts and URIs, never text) and errors."""
    if m := _TASK_START.search(line):
        return f"-> {m.group(1)}"
    if m := _OUR_LOG.search(line):
        return f"   {m.group(1)[:300]}"
    if "[error" in line or "Traceback" in line or "DagRun Finished" in line:
        return "   " + line.strip()[:300]
    return None
