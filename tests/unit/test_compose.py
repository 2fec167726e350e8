"""docker-compose.yaml as a file: what must hold before anything starts (`make compose-test`,
tests/compose/, builds and starts it for real)."""

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]


def _compose():
    return yaml.safe_load((REPO / "docker-compose.yaml").read_text())


def test_services_have_image_or_build():
    services = _compose()["services"]
    assert {"postgres", "seaweedfs", "create-bucket", "airflow-apiserver", "airflow-scheduler",
            "airflow-dag-processor", "airflow-triggerer"} <= set(services)
    for name, svc in services.items():
        assert svc.get("image") or svc.get("build"), name
        build = svc.get("build")
        if build:
            ctx = build if isinstance(build, str) else build.get("context", ".")
            assert (REPO / ctx / "Dockerfile").exists(), name


def test_mounted_paths_exist():
    for name, svc in _compose()["services"].items():
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith((".", "/")):
                assert (REPO / src).exists(), f"{name} mounts missing {src}"


def test_airflow_runs_on_postgres_and_no_secret_is_inline():
    text = (REPO / "docker-compose.yaml").read_text()
    svc = _compose()["services"]["airflow-scheduler"]
    assert svc["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")
    for var in ("AWS_SECRET_ACCESS_KEY", "POSTGRES_PASSWORD", "AIRFLOW__API_AUTH__JWT_SECRET"):
        for line in text.splitlines():
            if line.strip().startswith(var + ":"):
                assert "${" in line, line


def test_container_shell_variables_are_set_in_that_container():
    """`$${VAR}` reaches the container's shell unexpanded: VAR must be in that service's own
    environment (create-bucket once read NER_BUCKET there, had none, and made the default bucket)."""
    import re

    for name, svc in _compose()["services"].items():
        command = svc.get("command") or []
        text = " ".join(command) if isinstance(command, list) else command
        env = svc.get("environment") or {}
        for var in re.findall(r"\$\$\{?(\w+)", text):
            assert var in env, f"{name}: its command reads ${var}, which its environment does not set"


def test_production_builds_keep_the_official_bases():
    """The compose test swaps bases through build arguments; the defaults stay the official images."""
    import re

    airflow = (REPO / "Dockerfile").read_text()
    pin = re.search(r"^apache-airflow==(\S+)$", (REPO / "requirements.txt").read_text(), re.M).group(1)
    assert re.search(rf"^ARG AIRFLOW_IMAGE=apache/airflow:{re.escape(pin)}-python3\.11$", airflow, re.M)
    assert re.search(r"^ARG TORCH_INDEX_URL=https://download\.pytorch\.org/whl/cpu$", airflow, re.M)
    trainer = (REPO / "include/docker/Dockerfile").read_text()
    assert re.search(r"^ARG REQUIRE_CUDA=1$", trainer, re.M)
    assert "# syntax=" not in trainer  # a syntax directive makes BuildKit fetch a frontend image from Docker Hub
