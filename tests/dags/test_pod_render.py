"""The GPU training pod, rendered by the real KubernetesPodOperator (no cluster is contacted).

build_pod_request_obj() needs cluster credentials even to render; a stub kubeconfig that points
at 127.0.0.1 satisfies it. Templates are rendered the way the DAG renders them
(render_template_as_native_obj=True), with a stand-in task instance for xcom_pull.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from ner_pipeline.config import load_settings
from ner_pipeline.k8s import make_train_operator

REPO = Path(__file__).resolve().parents[2]
DATASET = "s3://ner-helpline/datasets/snap-20260101/"
RUN_ID = "manual__2026-01-01T02:00:00+00:00"
CANARY = "canary-SECRET-7f3e9a"

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: stub, cluster: {server: "https://127.0.0.1:6443"}}]
users: [{name: stub, user: {token: not-a-real-token}}]
contexts: [{name: stub, context: {cluster: stub, user: stub}}]
current-context: stub
"""


class FakeTI:
    """What the operator reads from a task instance while rendering and labelling the pod."""

    def __init__(self, dag_id: str, task_id: str = "train"):
        self.dag_id, self.task_id, self.map_index, self.try_number = dag_id, task_id, -1, 1

    def xcom_pull(self, task_ids=None, key="return_value", **_):
        assert task_ids == "build_snapshot"
        return {"dataset_uri": DATASET, "snapshot": "snap-20260101"}


@pytest.fixture()
def kubeconfig(tmp_path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG)
    return path


@pytest.fixture()
def no_ner_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("NER"):
            monkeypatch.delenv(name)


def render(op, dag) -> dict:
    """Render templates as a task run would, build the pod, return it as the API would receive it."""
    from kubernetes.client import ApiClient

    context = {"ti": FakeTI(dag.dag_id, op.task_id), "run_id": RUN_ID, "dag": dag}
    op.render_template_fields(context)
    pod = op.build_pod_request_obj(context)
    return ApiClient().sanitize_for_serialization(pod)


def trainer_argv(container: dict) -> list[str]:
    """The argv the trainer's own parser sees, for both the single- and multi-GPU forms."""
    full = container["command"] + container["args"]
    if full[0] == "torchrun":
        return full[full.index("ner_pipeline.cli") + 1:]
    assert full[0] == "ner-pipeline"
    return full[1:]


def make_dag(settings):
    from airflow.sdk import DAG

    with DAG("ner_retraining", start_date=datetime(2026, 1, 1), schedule=None,
             render_template_as_native_obj=True) as dag:
        op = make_train_operator(
            settings,
            dataset_uri="{{ ti.xcom_pull(task_ids='build_snapshot')['dataset_uri'] }}",
            output_uri=settings.uri("runs", "{{ run_id | replace(':', '-') | replace('+', '-') }}", "train") + "/",
        )
    return dag, op


def pod_settings(kubeconfig, *overrides):
    return load_settings("local", environ={}, overrides=[
        "training.backend=kubernetes", f"training.kubernetes.config_file={kubeconfig}",
        "training.kubernetes.in_cluster=false", *overrides])


def test_rendered_pod(kubeconfig, monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", CANARY + "-id")
    dag, op = make_dag(pod_settings(kubeconfig))
    pod = render(op, dag)
    meta, spec = pod["metadata"], pod["spec"]
    base, *sidecars = spec["containers"]

    assert base["name"] == "base" and base["image"] == "ghcr.io/example/ner-trainer:0.1.0"
    assert base["command"] == ["ner-pipeline"]
    assert base["args"] == ["train", "--profile", "gpu", "--dataset", DATASET,
                            "--output", "s3://ner-helpline/runs/manual__2026-01-01T02-00-00-00-00/train/",
                            "--xcom-file", "/airflow/xcom/return.json"]
    # GPU placement
    assert str(base["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    assert str(base["resources"]["requests"]["nvidia.com/gpu"]) == "1"
    assert {k: str(v) for k, v in base["resources"]["limits"].items()} == {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}
    assert spec["nodeSelector"] == {"nvidia.com/gpu.present": "true"}
    assert spec["tolerations"] == [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert "priorityClassName" not in spec
    # identity, lifecycle, timeouts
    assert meta["namespace"] == "ml-training" and spec["serviceAccountName"] == "ner-trainer"
    assert spec["restartPolicy"] == "Never" and spec["activeDeadlineSeconds"] == 21600
    assert (op.startup_timeout_seconds, op.schedule_timeout_seconds) == (1800, 1800)
    assert op.on_finish_action.value == "delete_succeeded_pod"
    assert op.get_logs and op.log_events_on_failure and op.do_xcom_push and op.reattach_on_restart
    assert op.deferrable is False and op.in_cluster is False and op.config_file == str(kubeconfig)
    # labels: ours plus the provider's, run_id made a valid label value
    from airflow.providers.cncf.kubernetes.pod_generator import make_safe_label_value

    labels = meta["labels"]
    assert {"app": "ner-pipeline", "component": "trainer", "model": "ner"}.items() <= labels.items()
    assert labels["dag_id"] == "ner_retraining" and labels["task_id"] == "train"
    assert labels["run_id"] == make_safe_label_value(RUN_ID) and ":" not in labels["run_id"]
    # /dev/shm and the xcom sidecar
    [shm] = [v for v in spec["volumes"] if v.get("emptyDir", {}).get("medium") == "Memory"]
    assert shm["emptyDir"]["sizeLimit"] == "8Gi"
    assert {"name": shm["name"], "mountPath": "/dev/shm"} in base["volumeMounts"]
    assert [c["name"] for c in sidecars] == ["airflow-xcom-sidecar"]
    assert any(m["mountPath"] == "/airflow/xcom" for m in base["volumeMounts"])
    # credentials: one secret reference, no values
    assert base["envFrom"] == [{"secretRef": {"name": "ner-object-store"}}]
    env = {e["name"]: e for e in base["env"]}
    assert env["NER_PROFILE"]["value"] == "gpu" and env["TOKENIZERS_PARALLELISM"]["value"] == "false"
    assert not [n for n in env if n.startswith("AWS_")]
    assert all("valueFrom" not in e for e in env.values())
    assert base["securityContext"]["runAsNonRoot"] is True
    dumped = yaml.safe_dump(pod)
    assert CANARY not in dumped and "not-a-real-token" not in dumped


def test_native_rendering_keeps_strings_strings(kubeconfig):
    """The DAG renders natively: a "1" in a template field would become 1, an invalid env value."""
    dag, op = make_dag(pod_settings(kubeconfig, "storage.bucket='123'"))
    base = render(op, dag)["spec"]["containers"][0]
    assert all(isinstance(e["value"], str) for e in base["env"])
    assert all(isinstance(a, str) for a in base["command"] + base["args"])
    assert {e["name"]: e["value"] for e in base["env"]}["PYTHONUNBUFFERED"] == "1"


def test_multi_gpu_pod_and_priority_class(kubeconfig):
    dag, op = make_dag(pod_settings(kubeconfig, "training.kubernetes.gpu_count=2",
                                    "training.kubernetes.priority_class=ml-batch"))
    pod = render(op, dag)
    base = pod["spec"]["containers"][0]
    assert base["command"] == ["torchrun"]
    assert base["args"][:4] == ["--standalone", "--nproc_per_node=2", "-m", "ner_pipeline.cli"]
    assert trainer_argv(base)[:5] == ["train", "--profile", "gpu", "--dataset", DATASET]
    assert str(base["resources"]["limits"]["nvidia.com/gpu"]) == "2"
    assert pod["spec"]["priorityClassName"] == "ml-batch"


@pytest.mark.parametrize("gpus", [1, 2])
def test_pod_arguments_parse_with_the_trainer_parser(kubeconfig, gpus):
    """Contract: what the pod runs is a command line the trainer CLI accepts."""
    try:
        import ner_pipeline.train.commands  # noqa: F401
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("ner_pipeline.train"):
            pytest.skip("the trainer's `train` subcommand (ner_pipeline.train.commands) is not written yet")
        raise
    from ner_pipeline.cli import build_parser

    dag, op = make_dag(pod_settings(kubeconfig, f"training.kubernetes.gpu_count={gpus}"))
    argv = trainer_argv(render(op, dag)["spec"]["containers"][0])
    args = build_parser().parse_args(argv)
    assert args.command == "train" and args.profile == "gpu"
    values = {str(v) for v in vars(args).values()}
    assert {DATASET, "/airflow/xcom/return.json"} <= values
    assert any(v.startswith("s3://ner-helpline/runs/") for v in values)


# -- the real DAG ---------------------------------------------------------------------------

def load_dag(backend: str, monkeypatch, kubeconfig: Path):
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("NER_TRAINING_BACKEND", backend)
    monkeypatch.setenv("NER__TRAINING__KUBERNETES__CONFIG_FILE", str(kubeconfig))
    monkeypatch.setenv("NER__TRAINING__KUBERNETES__IN_CLUSTER", "false")
    bag = DagBag(dag_folder=str(REPO / "dags"))
    assert bag.import_errors == {}
    return bag.dags["ner_retraining"]  # not get_dag(): that consults the metadata database


@pytest.fixture()
def dags(monkeypatch, kubeconfig, no_ner_env):
    if not (REPO / "dags" / "ner_retraining.py").exists():
        pytest.skip("dags/ner_retraining.py is not written yet")
    return {b: load_dag(b, monkeypatch, kubeconfig) for b in ("local", "kubernetes")}


def test_dag_kubernetes_backend_renders_the_gpu_pod(dags):
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    dag = dags["kubernetes"]
    op = dag.get_task("train")
    assert isinstance(op, KubernetesPodOperator)
    assert not isinstance(dags["local"].get_task("train"), KubernetesPodOperator)
    pod = render(op, dag)
    base = pod["spec"]["containers"][0]
    argv = trainer_argv(base)
    assert argv[0] == "train" and argv[argv.index("--dataset") + 1] == DATASET
    # The pod writes where the rest of the DAG (stages.train_output_uri) looks for the model.
    from ner_pipeline.stages import train_output_uri

    assert argv[argv.index("--output") + 1] == train_output_uri(load_settings(), RUN_ID)
    assert str(base["resources"]["limits"]["nvidia.com/gpu"]) == "1"
    assert base["envFrom"] == [{"secretRef": {"name": "ner-object-store"}}]
    assert pod["metadata"]["labels"]["dag_id"] == "ner_retraining"


def test_both_backends_wire_train_the_same_way(dags):
    local, kube = (dags[b] for b in ("local", "kubernetes"))
    assert set(local.task_ids) == set(kube.task_ids)
    lt, kt = local.get_task("train"), kube.get_task("train")
    assert lt.upstream_task_ids == kt.upstream_task_ids
    assert lt.downstream_task_ids == kt.downstream_task_ids
    assert kt.retries >= 1


def test_kubernetes_dag_serializes(dags):
    """The DAG processor stores the DAG serialized; the pod operator's fields must survive that."""
    from airflow.serialization.serialized_objects import DagSerialization

    data = DagSerialization.to_dict(dags["kubernetes"])
    DagSerialization.validate_schema(data)
    [train] = [t["__var"] for t in data["dag"]["tasks"] if t["__var"]["task_id"] == "train"]
    assert train["arguments"][:3] == ["train", "--profile", "gpu"]
    restored = DagSerialization.from_dict(data).get_task("train")
    assert restored.downstream_task_ids == dags["kubernetes"].get_task("train").downstream_task_ids
