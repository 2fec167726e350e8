"""Commands for the local stack and whole-pipeline runs: store, seed, local-run, report."""

from __future__ import annotations

import argparse
import json
import sys
import time


def register(sub: argparse._SubParsersAction) -> None:
    from .cli_common import add_common

    p = sub.add_parser("store", help="the embedded SeaweedFS of the local default")
    add_common(p)
    p.add_argument("action", choices=["up", "down", "status", "env"])
    p.set_defaults(func=_store)

    p = sub.add_parser("seed", help="put a synthetic batch into incoming/synthetic/ if nothing is new")
    add_common(p)
    p.set_defaults(func=_seed)

    p = sub.add_parser("local-run", help="what `make run` does: store, bucket, seed, one DAG run, summary")
    add_common(p)
    p.add_argument("--conf", default="{}", help="DAG run conf (JSON), e.g. '{\"dry_run\": true}'")
    p.set_defaults(func=_local_run)

    p = sub.add_parser("ui", help="Airflow (standalone) on 127.0.0.1:8080 with the local store and the plugin")
    add_common(p)
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--stop", action="store_true",
                   help="stop the Airflow this checkout's `ui` started (its pid file, checked against the command line)")
    p.set_defaults(func=_ui)

    p = sub.add_parser("report", help="print a run's summary (default: the last run)")
    add_common(p)
    p.add_argument("--run", help="run id (default: last)")
    p.set_defaults(func=_report)


def _store(args: argparse.Namespace) -> int:
    from .cli_common import settings_from
    from .localrun import ensure_store
    from .localstore import local_store

    settings = settings_from(args)
    store = local_store(settings)
    if args.action == "up":
        ensure_store(settings)
        print(f"SeaweedFS S3 API on {store.endpoint}, bucket {settings.storage.bucket}; credentials in {store.env_file}")
    elif args.action == "down":
        print("stopped" if store.stop() else "not running")
    elif args.action == "env":
        for k, v in store.credentials().items():
            print(f"export {k}={v}")
    else:
        print("running" if store.running() else "stopped")
        return 0 if store.running() else 3
    return 0


def _seed(args: argparse.Namespace) -> int:
    from .cli_common import settings_from
    from .localrun import ensure_store, seed_if_empty

    settings = settings_from(args)
    ensure_store(settings)
    seeded = seed_if_empty(settings)
    print(json.dumps(seeded) if seeded else "new data already waiting in incoming/: nothing seeded")
    return 0


def _local_run(args: argparse.Namespace) -> int:
    from .cli_common import settings_from
    from .localrun import LOCAL, airflow_env, ensure_store, migrate_db, run_dag, seed_if_empty

    settings = settings_from(args)
    t0 = time.monotonic()
    store = ensure_store(settings)
    seeded = seed_if_empty(settings)
    if seeded:
        print(f"seeded {seeded['records']} synthetic records -> {seeded['uri']}", flush=True)
    env = airflow_env(settings, store)
    migrate_db(env)
    log_file = LOCAL / "logs" / f"dags-test-{time.strftime('%Y%m%dT%H%M%S')}.log"
    print(f"running DAG ner_retraining with airflow dags test (full log: {log_file})", flush=True)
    rc = run_dag(env, json.loads(args.conf), log_file)
    print()
    _print_last(settings, require_fresh_after=time.time() - (time.monotonic() - t0))
    print(f"\nwall time {time.monotonic() - t0:.0f}s; airflow exit status {rc}")
    return rc


def _print_last(settings, run: str | None = None, require_fresh_after: float | None = None) -> int:
    from .layout import LAST_RUN, RunPaths
    from .stages import format_summary
    from .storage import ObjectStore

    store = ObjectStore(settings)
    if run:
        summary = store.get_json(store.key(RunPaths(run).summary))
    else:
        last = store.get_json(store.key(LAST_RUN))
        summary = store.get_json(store.key_of(last["summary_uri"])) if last else None
    if not summary:
        print("no run summary found (the run failed before its report task; see the log above)")
        return 1
    if require_fresh_after is not None and not run:
        import calendar

        finished = calendar.timegm(time.strptime(summary["finished_at"], "%Y-%m-%dT%H:%M:%SZ"))
        if finished < require_fresh_after - 5:
            print("this run wrote no summary (it failed before its report task); the log above says why")
            return 1
    print(format_summary(summary))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .cli_common import settings_from
    from .localrun import ensure_store

    settings = settings_from(args)
    ensure_store(settings)
    return _print_last(settings, args.run)


def ui_pid_file():
    from .localrun import LOCAL

    return LOCAL / "airflow-ui.pid"


def is_our_airflow(args: list[str]) -> bool:
    """`<this venv>/bin/airflow standalone`, as _ui starts it (python <venv>/bin/airflow standalone)."""
    from pathlib import Path

    ours = str(Path(sys.executable).parent / "airflow")
    return "standalone" in args and any(a == ours for a in args)


def _ui(args: argparse.Namespace) -> int:
    """`make up`: the same environment as `make run`, served by `airflow standalone`."""
    import subprocess
    from pathlib import Path

    from .cli_common import settings_from
    from .localrun import airflow_env, ensure_store, migrate_db
    from .localstore import owned_pid, stop_group

    pid_file = ui_pid_file()
    if args.stop:
        pid = owned_pid(pid_file, is_our_airflow)
        if pid is None:
            print("Airflow UI: not running (from this checkout)")
            return 0
        stop_group(pid)
        pid_file.unlink(missing_ok=True)
        print(f"Airflow UI stopped (pid {pid})")
        return 0
    if owned_pid(pid_file, is_our_airflow) is not None:
        print(f"Airflow UI already running from this checkout (pid in {pid_file}); `make down` stops it")
        return 1
    settings = settings_from(args)
    store = ensure_store(settings)
    env = airflow_env(settings, store)
    env.update({"AIRFLOW__API__HOST": "127.0.0.1", "AIRFLOW__API__PORT": str(args.port),
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": env.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS", "admin:admin")})
    migrate_db(env)
    pw = Path(env["AIRFLOW_HOME"]) / "simple_auth_manager_passwords.json.generated"
    print(f"Airflow UI: http://127.0.0.1:{args.port}  (user admin; password in {pw} once started)")
    print(f"NER models page: http://127.0.0.1:{args.port}/ner/   Ctrl+C or `make down` stops Airflow and the store.",
          flush=True)
    # Its own process group, its pid in a file: `make down` stops exactly this one, never by name.
    proc = subprocess.Popen([str(Path(sys.executable).parent / "airflow"), "standalone"], env=env,
                            start_new_session=True)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(proc.pid))
    try:
        return proc.wait()
    except KeyboardInterrupt:
        stop_group(proc.pid)
        return 130
    finally:
        if proc.poll() is not None:
            pid_file.unlink(missing_ok=True)
