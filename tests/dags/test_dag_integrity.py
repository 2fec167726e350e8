"""DAG integrity: imports cleanly, is cheap to parse, and is shaped as the product promises.

Parsing is checked for real (no mocks of the DAG's own code): the file is imported in a fresh
interpreter with SQLAlchemy, connection/variable lookups and sockets instrumented.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DAG_FILE = REPO / "dags" / "ner_retraining.py"
HEAVY = ("torch", "transformers", "datasets", "great_expectations", "seqeval", "pandas")


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    os.environ.setdefault("AIRFLOW_HOME", str(tmp_path_factory.mktemp("airflow_home")))
    from airflow.dag_processing.dagbag import DagBag

    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    return DagBag(dag_folder=str(REPO / "dags"))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert "ner_retraining" in dagbag.dag_ids


def test_dag_shape(dagbag):
    dag = dagbag.dags["ner_retraining"]
    assert dag.tags and {"ner", "retraining"} <= set(dag.tags)
    assert dag.max_active_runs == 1 and dag.catchup is False
    assert dag.doc_md and "gate" in dag.doc_md
    assert {"sources", "dry_run", "reason", "force_promote", "generate_synthetic"} <= set(dag.params.keys())
    for task in dag.tasks:
        assert task.retries >= 1, f"{task.task_id} has no retries"
        assert task.retry_delay.total_seconds() > 0
    order = ["generate_synthetic", "discover", "validate", "build_snapshot", "train", "evaluate", "gate"]
    for up, down in zip(order, order[1:]):
        assert down in dag.get_task(up).downstream_task_ids, f"{up} -> {down} missing"
    assert dag.get_task("gate").downstream_task_ids == {"promote", "record_rejection"}
    assert "report" in dag.get_task("promote").downstream_task_ids
    assert "report" in dag.get_task("record_rejection").downstream_task_ids


def test_params_are_titled_and_typed(dagbag):
    dag = dagbag.dags["ner_retraining"]
    for name in dag.params.keys():
        param = dag.params.get_param(name)
        schema = param.schema
        assert schema.get("type"), name
        assert schema.get("title"), name
        assert param.description, name


PARSE_PROBE = textwrap.dedent(
    """
    import importlib.util, json, socket, sys
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    queries = []
    event.listen(Engine, "before_cursor_execute", lambda *a, **k: queries.append(a[2]))
    lookups = []

    def refuse(kind):
        def _f(*a, **k):
            lookups.append(kind)
            raise RuntimeError(kind + " lookup at parse time")
        return _f

    from airflow.sdk import BaseHook, Variable
    BaseHook.get_connection = classmethod(refuse("connection"))
    Variable.get = staticmethod(refuse("variable"))
    socket.socket.connect = refuse("network")
    socket.create_connection = refuse("network")

    spec = importlib.util.spec_from_file_location("ner_retraining_probe", sys.argv[1])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    print(json.dumps({"queries": queries, "lookups": lookups,
                      "modules": sorted({m.split(".")[0] for m in sys.modules})}))
    """
)


@pytest.mark.parametrize("backend", ["local", "kubernetes"])
def test_parse_has_no_side_effects(tmp_path, backend):
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "NER_TRAINING_BACKEND": backend}
    out = subprocess.run([sys.executable, "-c", PARSE_PROBE, str(DAG_FILE)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["queries"] == []
    assert result["lookups"] == []
    assert not set(HEAVY) & set(result["modules"]), set(HEAVY) & set(result["modules"])
