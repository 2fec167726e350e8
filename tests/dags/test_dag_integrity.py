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


# Everything issue 18 adds to the parse, switched on: the approval task, an AssetWatcher on
# incoming/ (a stand-in for the SQS trigger, tests/watcher_stub.py) and the DeadlineAlert.
PRODUCTION_LIKE = {
    "NER__PROMOTION__APPROVAL": "required",
    "NER__SCHEDULE__DEADLINE__ENABLED": "true",
    "NER__SCHEDULE__WATCHER__ENABLED": "true",
    "NER__SCHEDULE__WATCHER__QUEUE": "https://sqs.eu-west-1.amazonaws.com/123456789012/ner-incoming",
    "NER__SCHEDULE__WATCHER__TRIGGER": "watcher_stub.StubQueueTrigger",
    "PYTHONPATH": str(REPO / "tests"),
}


@pytest.mark.parametrize("backend", ["local", "kubernetes", "approval+watcher+deadline"])
def test_parse_has_no_side_effects(tmp_path, backend):
    extra = PRODUCTION_LIKE if backend.startswith("approval") else {"NER_TRAINING_BACKEND": backend}
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), **extra}
    out = subprocess.run([sys.executable, "-c", PARSE_PROBE, str(DAG_FILE)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["queries"] == []
    assert result["lookups"] == []
    assert not set(HEAVY) & set(result["modules"]), set(HEAVY) & set(result["modules"])


SHAPE_PROBE = textwrap.dedent(
    """
    import json, os
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    from airflow.dag_processing.dagbag import DagBag
    from airflow.serialization.serialized_objects import DagSerialization
    bag = DagBag(dag_folder=os.environ["DAGS"])
    dag = bag.dags["ner_retraining"]
    DagSerialization.to_dict(dag)  # the scheduler's form of it must build
    t = {k: dag.get_task(k) for k in ("gate", "approve_promotion", "promote", "record_rejection")}
    assets = dag.timetable.asset_condition.objects
    print("RESULT" + json.dumps({
        "errors": {k: str(v) for k, v in bag.import_errors.items()},
        "down": {k: sorted(v.downstream_task_ids) for k, v in t.items()},
        "rules": {k: getattr(v.trigger_rule, "value", v.trigger_rule) for k, v in t.items()},
        "approval": {"type": type(t["approve_promotion"]).__name__,
                     "response_timeout_s": t["approve_promotion"].response_timeout.total_seconds(),
                     "execution_timeout": t["approve_promotion"].execution_timeout,
                     "defaults": t["approve_promotion"].defaults, "retries": t["approve_promotion"].retries},
        "deadline": [{"minutes": d.interval.total_seconds() / 60, "callback": d.callback.path} for d in dag.deadline],
        "timetable": type(dag.timetable).__name__,
        "assets": [{"uri": a.uri, "watchers": [w.name for w in a.watchers],
                    "trigger": [w.trigger.kwargs for w in a.watchers]} for a in assets],
    }))
    """
)


def test_production_like_shape(tmp_path):
    """With approval required, a watcher and a deadline: the approval task sits between the gate and
    promote/record_rejection, waits up to 72 h with no execution_timeout and answers Reject on
    timeout; the DAG listens to the incoming/ Asset's watcher beside its cron; the DeadlineAlert
    has the configured interval and callback; and the DAG serializes (what the scheduler stores)."""
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "DAGS": str(REPO / "dags"), **PRODUCTION_LIKE}
    out = subprocess.run([sys.executable, "-c", SHAPE_PROBE], env=env, capture_output=True, text=True, timeout=180)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line, out.stdout[-2000:] + out.stderr[-3000:]
    got = json.loads(line[len("RESULT"):])
    assert got["errors"] == {}
    assert got["down"] == {"gate": ["approve_promotion", "promote", "record_rejection"],
                           "approve_promotion": ["promote", "record_rejection"],
                           "promote": ["report"], "record_rejection": ["report"]}
    assert got["rules"]["promote"] == got["rules"]["record_rejection"] == "none_failed_min_one_success"
    assert got["approval"] == {"type": "PromotionApprovalOperator", "response_timeout_s": 72 * 3600,
                               "execution_timeout": None, "defaults": ["Reject"], "retries": 0}
    assert got["deadline"] == [{"minutes": 360, "callback": "ner_pipeline.schedule.log_missed_deadline"}]
    assert got["timetable"] == "AssetOrTimeSchedule"
    assert got["assets"] == [{"uri": "s3://ner-helpline/incoming", "watchers": ["ner_incoming_events"],
                              "trigger": [{"scheme": "sqs", "queue": PRODUCTION_LIKE["NER__SCHEDULE__WATCHER__QUEUE"]}]}]
