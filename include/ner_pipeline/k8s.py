"""The GPU training pod: KubernetesPodOperator arguments built from `training.kubernetes`.

The pod runs the same trainer CLI as the local backend (`ner-pipeline train --dataset URI
--output URI`), so the pod spec is all this module decides. Importing it stays cheap (the DAG
imports it at parse time): the kubernetes models and the provider are imported inside the
functions, and only when training.backend == "kubernetes".

Credentials never enter the spec: the object-store keys (and the in-cluster endpoint) come from
the Kubernetes Secret `training.kubernetes.secret_name` through `envFrom`.
"""

from __future__ import annotations

import json
from typing import Any

from .config import Settings

XCOM_FILE = "/airflow/xcom/return.json"  # where the provider's xcom sidecar reads the result
SHM_VOLUME = "dshm"
# Static labels; the provider adds dag_id, task_id, run_id and try_number itself, made safe as
# label values (a templated run_id label would render unsanitised: ':' and '+' are invalid).
POD_LABELS = {"app": "ner-pipeline", "component": "trainer", "model": "ner"}


def train_command(settings: Settings, *, dataset_uri: str, output_uri: str) -> tuple[list[str], list[str]]:
    """(cmds, arguments) of the trainer container. Both are template fields of the operator."""
    kube = settings.training.kubernetes
    train_args = ["train", "--profile", kube.profile, "--dataset", dataset_uri, "--output", output_uri,
                  "--xcom-file", XCOM_FILE]
    if kube.gpu_count > 1:
        # One process per GPU on one node; --standalone gives torchrun a local rendezvous.
        return ["torchrun"], ["--standalone", f"--nproc_per_node={kube.gpu_count}", "-m", "ner_pipeline.cli",
                              *train_args]
    return ["ner-pipeline"], train_args


def _storage_env(settings: Settings) -> dict[str, str]:
    """Non-secret storage settings the pod shares with Airflow, so that what the trainer writes
    gets the same encryption, region and key prefix as everything else.

    The endpoint is not forwarded: Airflow and the pod often reach the store by different
    addresses, so it comes from the Secret. Values are JSON-quoted because config.py parses
    NER__ values as YAML (a bucket named "123" must stay a string).
    """
    st = settings.storage
    values = {"BUCKET": st.bucket, "PREFIX": st.prefix, "REGION": st.region, "SSE": st.sse,
              "SSE_KMS_KEY_ID": st.sse_kms_key_id}
    return {f"NER__STORAGE__{k}": json.dumps(v) for k, v in values.items() if v}


def _toleration(k8s: Any, spec: dict[str, str]):
    """A toleration from config, written either as in a pod YAML (camelCase) or snake_case."""
    kw = {("toleration_seconds" if k == "tolerationSeconds" else k): v for k, v in spec.items()}
    if kw.get("toleration_seconds") is not None:
        kw["toleration_seconds"] = int(kw["toleration_seconds"])
    return k8s.V1Toleration(**kw)


def train_pod_kwargs(settings: Settings, *, dataset_uri: str, output_uri: str, task_id: str = "train") -> dict[str, Any]:
    """Keyword arguments for KubernetesPodOperator running the trainer on a GPU node.

    dataset_uri / output_uri may be Jinja templates; they land in `arguments`, a template field.
    Retries come from the DAG's default_args (or make_train_operator's operator_kwargs).
    """
    from kubernetes.client import models as k8s

    kube = settings.training.kubernetes
    cmds, arguments = train_command(settings, dataset_uri=dataset_uri, output_uri=output_uri)
    return {
        "task_id": task_id,
        "image": kube.image,
        "namespace": kube.namespace,
        "service_account_name": kube.service_account,
        "labels": dict(POD_LABELS),
        # The autoscaler must not evict hours of GPU work to compact nodes.
        "annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"},
        "cmds": cmds,
        "arguments": arguments,
        # Not `env_vars`: that is a template field, and under the DAG's render_template_as_native_obj
        # "1" would render to the int 1, which the API server rejects for an env value. These are
        # static, so they go where the provider appends them after rendering.
        "pod_runtime_info_envs": [k8s.V1EnvVar(name=k, value=v) for k, v in _pod_env(settings).items()],
        "env_from": [k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=kube.secret_name))],
        "container_resources": _resources(k8s, kube),
        "node_selector": dict(kube.node_selector),
        "tolerations": [_toleration(k8s, t) for t in kube.tolerations],
        "priority_class_name": kube.priority_class or None,
        **_shm_volume(k8s, kube),
        "container_security_context": k8s.V1SecurityContext(
            run_as_non_root=True, allow_privilege_escalation=False,
            capabilities=k8s.V1Capabilities(drop=["ALL"])),
        "startup_timeout_seconds": kube.startup_timeout_seconds,
        "schedule_timeout_seconds": kube.schedule_timeout_seconds,
        "active_deadline_seconds": kube.active_deadline_seconds,
        **_POD_LIFECYCLE,
        "deferrable": kube.deferrable,
        "do_xcom_push": True,
        **_cluster(kube),
    }


# Fixed: what happens to the pod and its logs, and after a worker restart.
_POD_LIFECYCLE = {
    "on_finish_action": "delete_succeeded_pod",  # keep failed pods for `kubectl describe`
    "termination_message_policy": "FallbackToLogsOnError",  # a crash's last log lines reach the pod status
    "get_logs": True,
    "log_events_on_failure": True,
    # Reattach to the running pod after a worker restart instead of starting a second one.
    # Provider 10.25 on Airflow 3.3 spells this `durable` (`reattach_on_restart` is deprecated).
    "durable": True,
}


def _resources(k8s: Any, kube: Any):
    """CPU and memory requests and limits, and the GPUs."""
    requests = {"cpu": kube.cpu_request, "memory": kube.memory_request}
    limits = {"cpu": kube.cpu_limit, "memory": kube.memory_limit}
    if kube.gpu_count > 0:
        # Extended resources are never overcommitted: request == limit.
        requests[kube.gpu_resource] = limits[kube.gpu_resource] = str(kube.gpu_count)
    return k8s.V1ResourceRequirements(requests=requests, limits=limits)


def _pod_env(settings: Settings) -> dict[str, str]:
    return {
        "NER_PROFILE": settings.training.kubernetes.profile,
        "PYTHONUNBUFFERED": "1",  # logs reach `kubectl logs` / the task log as they happen
        "TOKENIZERS_PARALLELISM": "false",  # fast tokenizers + dataloader workers deadlock otherwise
        **_storage_env(settings),
    }


def _shm_volume(k8s: Any, kube: Any) -> dict[str, Any]:
    """PyTorch DataLoader workers share tensors through /dev/shm; the runtime default is 64Mi.
    A Memory emptyDir counts against the container's memory limit."""
    return {
        "volumes": [k8s.V1Volume(name=SHM_VOLUME,
                                 empty_dir=k8s.V1EmptyDirVolumeSource(medium="Memory", size_limit=kube.shm_size))],
        "volume_mounts": [k8s.V1VolumeMount(name=SHM_VOLUME, mount_path="/dev/shm")],
    }


def _cluster(kube: Any) -> dict[str, Any]:
    """Cluster credentials: an explicit kubeconfig wins; else in-cluster; else (None) whatever the
    Airflow connection `kubernetes_default` says. The hook rejects in_cluster + config_file."""
    if kube.config_file:
        return {"config_file": kube.config_file, "in_cluster": False}
    return {"in_cluster": True if kube.in_cluster else None}


def make_train_operator(settings: Settings, *, dataset_uri: str, output_uri: str, task_id: str = "train",
                        **operator_kwargs: Any):
    """The KubernetesPodOperator for the `train` task (call inside a DAG context).

    operator_kwargs (e.g. retries, task_display_name) override the pod kwargs.
    """
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator

    kwargs = train_pod_kwargs(settings, dataset_uri=dataset_uri, output_uri=output_uri, task_id=task_id)
    return KubernetesPodOperator(**{**kwargs, **operator_kwargs})
