"""The trainer fails or is killed, and model folders arrive corrupt or incomplete.

The local backend runs the real trainer subprocess (stages.train_local) against the session's
SeaweedFS; the pod backend is the real KubernetesPodOperator handed a failed pod's state. Then
evaluate and promote are given incomplete and corrupted model folders.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from ner_pipeline import stages
from ner_pipeline.registry import Registry
from test_faults_common import (history, make_records, prepare_run, promote_run, put_snapshot,  # noqa: F401
                                shared_bucket, stage_model, train_overrides, trained_model)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

RUN = "manual__2026-02-01T10:00:00+00:00"
REPO = Path(__file__).resolve().parents[2]


class KillTrainerAt(subprocess.Popen):
    """Popen that SIGKILLs the trainer subprocess when it prints a line containing TRIGGER."""

    TRIGGER = "step 1/"  # after the first optimizer step: mid-training
    killed = False

    def __init__(self, args, *a, **kw):
        super().__init__(args, *a, **kw)
        if "ner_pipeline.cli" in args and self.stdout is not None:
            self.stdout = self._watch(self.stdout)

    def _watch(self, stream):
        for line in stream:
            if self.TRIGGER in line and not KillTrainerAt.killed:
                KillTrainerAt.killed = True
                os.kill(self.pid, signal.SIGKILL)
            yield line


def _no_train_output(store, run_id: str) -> bool:
    prefix = store.key_of(stages.train_output_uri(store.settings, run_id))
    return not store.exists(prefix + "_SUCCESS")


def test_trainer_crash_and_kill_then_clean_rerun(shared_bucket, tmp_path, monkeypatch):
    settings, store = shared_bucket
    dataset = put_snapshot(store, "snap-train", make_records("tr", 30))
    blessing_free = {"passed": True, "promote": True, "blessing_uri": None, "reasons": []}

    # 1. The trainer fails: its base model folder is corrupt.
    bad = tmp_path / "bad-base"
    bad.mkdir()
    (bad / "config.json").write_text("{ this is not json")
    with pytest.raises(stages.StageError) as err:
        stages.train_local(settings, RUN, dataset, overrides=train_overrides(settings) + [f"training.base_model={bad}"])
    msg = str(err.value)
    assert "trainer exited with status 1" in msg and "not a valid JSON file" in msg  # the trainer's own error
    assert _no_train_output(store, RUN)
    assert not list(store.list(store.key_of(stages.train_output_uri(settings, RUN))))  # nothing published at all

    # 2. The trainer is killed mid-training (OOM killer, node drain, kill -9).
    with monkeypatch.context() as mp, pytest.raises(stages.StageError, match="trainer was killed by SIGKILL"):
        mp.setattr(stages.model.subprocess, "Popen", KillTrainerAt)
        stages.train_local(settings, RUN, dataset, overrides=train_overrides(settings))
    assert KillTrainerAt.killed
    assert _no_train_output(store, RUN)

    # Nothing downstream accepts the run: evaluate refuses, promote refuses; no version, no history.
    with pytest.raises(stages.StageError, match="no _SUCCESS"):
        stages.evaluate(settings, RUN, dataset, {"output_uri": stages.train_output_uri(settings, RUN)})
    with pytest.raises(stages.StageError, match="no _SUCCESS"):
        stages.promote(settings, RUN, snapshot={"dataset_uri": dataset, "snapshot_id": "snap-train"},
                       train_result={}, evaluation={"metrics_uri": store.uri(store.key("nothing.json"))},
                       decision=blessing_free, dag_id="ner_retraining")
    assert Registry(store).champion() is None and history(store) == []
    assert not list(store.list(store.key("models/ner/versions/")))

    # 3. The re-run trains again, cleanly, and the run goes through.
    result = stages.train_local(settings, RUN, dataset, overrides=train_overrides(settings))
    assert result["output_uri"] == stages.train_output_uri(settings, RUN) and not _no_train_output(store, RUN)
    evaluation = stages.evaluate(settings, RUN, dataset, result)
    decision = stages.gate(settings, RUN, evaluation)
    out = stages.promote(settings, RUN, snapshot={"dataset_uri": dataset, "snapshot_id": "snap-train",
                                                  "manifest_sha256": "x"},
                         train_result=result, evaluation=evaluation, decision=decision, dag_id="ner_retraining")
    assert out["promoted"] and [e["kind"] for e in history(store)] == ["promotion"]


def test_failed_training_pod_fails_the_task_with_the_trainers_error(tmp_path, monkeypatch):
    """Kubernetes backend: the real operator, handed the state of a pod whose trainer exited 2,
    fails the task; promote is reachable only through train's success.

    The trainer's output reaches the task log because the operator streams the pod's log
    (get_logs). Its last words reach the exception message through the container's termination
    message, which Kubernetes fills from the log tail only with terminationMessagePolicy
    FallbackToLogsOnError (the pod spec's default, File, leaves it empty: the trainer writes no
    /dev/termination-log)."""
    from unittest import mock

    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.common.compat.sdk import AirflowException
    from kubernetes.client import models as k8s

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text('apiVersion: v1\nkind: Config\nclusters: [{name: s, cluster: {server: "https://127.0.0.1:6443"}}]\n'
                          'users: [{name: s, user: {token: t}}]\ncontexts: [{name: s, context: {cluster: s, user: s}}]\n'
                          'current-context: s\n')
    for name in list(os.environ):
        if name.startswith("NER"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path / "airflow"))
    monkeypatch.setenv("NER_TRAINING_BACKEND", "kubernetes")
    monkeypatch.setenv("NER__TRAINING__KUBERNETES__CONFIG_FILE", str(kubeconfig))
    monkeypatch.setenv("NER__TRAINING__KUBERNETES__IN_CLUSTER", "false")
    dag = DagBag(dag_folder=str(REPO / "dags")).dags["ner_retraining"]
    op = dag.get_task("train")

    trainer_error = "error: snapshot s3://ner-helpline/datasets/x/ has no manifest.json: the snapshot is incomplete"
    failed = k8s.V1Pod(
        metadata=k8s.V1ObjectMeta(name="train-abc", namespace="ml-training"),
        status=k8s.V1PodStatus(phase="Failed", container_statuses=[k8s.V1ContainerStatus(
            name="base", image="trainer", image_id="", ready=False, restart_count=0,
            state=k8s.V1ContainerState(terminated=k8s.V1ContainerStateTerminated(
                exit_code=2, reason="Error", message=trainer_error)))]))
    op.__dict__["pod_manager"] = mock.MagicMock()  # no cluster: the API calls cleanup makes are stubbed
    op.__dict__["client"] = mock.MagicMock()
    with pytest.raises(AirflowException) as err:
        op.cleanup(pod=failed, remote_pod=failed)
    assert "returned a failure" in str(err.value) and trainer_error in str(err.value)
    op.pod_manager.delete_pod.assert_not_called()  # the failed pod is kept for `kubectl describe`
    assert op.get_logs  # the trainer's output is streamed into the task log

    # A failed train task leaves evaluate -> gate -> promote upstream_failed: none of them can run
    # (promote waits on none_failed_min_one_success, for a skipped review: a failed upstream still
    # makes it upstream_failed).
    for task_id in ("evaluate", "gate"):
        assert dag.get_task(task_id).trigger_rule == "all_success", task_id
    assert dag.get_task("promote").trigger_rule in ("all_success", "none_failed_min_one_success")
    assert op.retries >= 1  # the retry starts a fresh pod that trains again (publish replaces outputs)


def test_incomplete_or_corrupt_model_is_refused(shared_bucket, tmp_path_factory):
    settings, store = shared_bucket
    model = trained_model(tmp_path_factory.getbasetemp())
    x = prepare_run(settings, store, RUN, model, tag="corrupt")
    staging = store.key_of(x["trained"]["output_uri"])
    weights = staging + "model/model.safetensors"
    good = store.get_bytes(weights)

    def evaluate():
        return stages.evaluate(settings, RUN, x["snapshot"]["dataset_uri"], x["trained"])

    # Incomplete at evaluation: a truncated upload, a missing tokenizer, a config that is not JSON.
    store.put_bytes(weights, good[: len(good) // 2])
    with pytest.raises(stages.StageError, match=r"model at s3://.*/model/ is corrupt or incomplete: "
                                                r"model.safetensors is unreadable"):
        evaluate()
    store.put_bytes(weights, good)
    tokenizer = store.get_bytes(staging + "model/tokenizer.json")
    store.client.delete_object(Bucket=store.bucket, Key=staging + "model/tokenizer.json")
    with pytest.raises(stages.StageError, match="no tokenizer"):
        evaluate()
    store.put_bytes(staging + "model/tokenizer.json", tokenizer)
    config = store.get_bytes(staging + "model/config.json")
    store.put_bytes(staging + "model/config.json", b"{ not json")
    with pytest.raises(stages.StageError, match="config.json is not a JSON object"):
        evaluate()
    store.put_bytes(staging + "model/config.json", config)

    # Corrupted after evaluation (same size, flipped bytes: no header check can see it): promote
    # compares the staging folder with what evaluate scored, file by file, and refuses.
    x["evaluation"] = evaluate()
    flipped = bytearray(good)
    flipped[-100:] = bytes(100)
    store.put_bytes(weights, bytes(flipped))
    with pytest.raises(stages.StageError, match=r"is not the model that was evaluated \(differs in: model.safetensors\)"):
        promote_run(settings, RUN, x)
    # Incomplete at promotion: the trainer's marker is gone (a re-train started over it).
    store.put_bytes(weights, good)
    success = store.get_bytes(staging + "_SUCCESS")
    store.client.delete_object(Bucket=store.bucket, Key=staging + "_SUCCESS")
    with pytest.raises(stages.StageError, match="incomplete"):
        promote_run(settings, RUN, x)
    assert Registry(store).champion() is None and history(store) == []
    assert not list(store.list(store.key("models/ner/versions/")))

    store.put_bytes(staging + "_SUCCESS", success)
    assert promote_run(settings, RUN, x)["promoted"]  # the intact model goes through
    pulled = Registry(store).pull("champion", tmp_path_factory.mktemp("pulled"))
    assert json.loads((pulled / "model" / "config.json").read_text())["id2label"]
