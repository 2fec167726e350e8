"""The docker-compose stack and the trainer image, built and started for real (`make compose-test`).

docker-compose.yaml with tests/compose/docker-compose.test.yaml over it: the official bases swapped
for local stand-ins on a Debian base (Docker Hub is out of reach here), the project's own images
built from the repository's Dockerfiles through their build arguments, host ports on 127.0.0.1
only. Then, in order: the init job migrated Postgres, the bucket exists, the API server answers,
the DAG parsed in the dag-processor with no import error, a run triggered through Airflow's REST API
(tiny model, a gate any model passes) ends with a champion in the bucket, `/ner/` refuses an
unauthenticated request and serves the registry to a signed-in user; and the trainer image, run
as its non-root user against the stack's SeaweedFS, trains on that run's snapshot and writes its
output and /airflow/xcom/return.json as the pod contract says. Everything is torn down at the end,
volumes included; logs of every service stay in out/compose/.

Skipped unless NER_COMPOSE=1. Needs root (dockerd, debootstrap) and Debian's docker.io,
docker-compose and debootstrap, which `make compose-test` installs when they are missing.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine import (REPO, Compose, docker_engine, ensure_debian_base, ensure_local_images,  # noqa: E402
                    local_tag, run, say)

sys.path.insert(0, str(REPO / "tests"))
from airflow_procs import free_port, wait_until  # noqa: E402

DAG_ID = "ner_retraining"
TRAINER_IMAGE = "ner-trainer:compose-test"
pytestmark = [
    pytest.mark.compose,
    pytest.mark.skipif(os.environ.get("NER_COMPOSE") != "1", reason="compose test: set NER_COMPOSE=1 (make compose-test)"),
]


def http(method: str, url: str, *, token: str | None = None, body: dict | None = None, cookie: str | None = None,
         timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) without following redirects."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.fixture(scope="module")
def out() -> Path:
    path = Path(os.environ.get("NER_COMPOSE_ARTIFACTS") or REPO / "out" / "compose")
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def stack(out):
    """Images built, the stack up and the API server answering; torn down afterwards."""
    t0 = time.monotonic()
    build_log = out / "build.log"
    creds = {"S3_ACCESS_KEY_ID": "ct" + secrets.token_hex(6), "S3_SECRET_ACCESS_KEY": secrets.token_hex(16)}
    api_port, s3_port = free_port(), free_port()
    bucket = "ner-compose-" + uuid.uuid4().hex[:8]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NER", "AIRFLOW", "AWS_"))}
    with docker_engine(out):
        ensure_debian_base(build_log)
        tag = local_tag()
        ensure_local_images(tag, build_log)
        env.update(creds, NER_COMPOSE_TAG=tag, NER_BUCKET=bucket,
                   AIRFLOW_PORT=str(api_port), S3_PORT=str(s3_port), POSTGRES_PASSWORD=secrets.token_hex(12),
                   AIRFLOW_JWT_SECRET=secrets.token_hex(32), NER_TRAINING_BACKEND="local")
        # The compose file reads .env (env_file); a developer's own is left alone, and its values
        # are overridden by this environment. Without one, an empty file stands in for the run.
        dotenv = REPO / ".env"
        made_dotenv = not dotenv.exists()
        if made_dotenv:
            dotenv.write_text("# made by make compose-test; removed when it ends\n")
        compose = Compose("ner-compose-test-" + uuid.uuid4().hex[:6], env, out / "compose.log")
        try:
            t = time.monotonic()
            compose("build", "--force-rm", "airflow-init")
            say(f"Airflow image built from ./Dockerfile on ner-local/airflow:{tag} in {time.monotonic() - t:.0f}s")
            t = time.monotonic()
            run(["docker", "build", "--force-rm", "-f", str(REPO / "include/docker/Dockerfile"), "--build-arg",
                 f"BASE_IMAGE=ner-local/torch:{tag}", "--build-arg", "REQUIRE_CUDA=0", "-t", TRAINER_IMAGE, str(REPO)],
                log=build_log, env={**env, "DOCKER_BUILDKIT": "0"})
            say(f"trainer image built from include/docker/Dockerfile (CPU torch, REQUIRE_CUDA=0) in "
                f"{time.monotonic() - t:.0f}s")
            t = time.monotonic()
            compose("up", "-d", timeout=900)
            base = f"http://127.0.0.1:{api_port}/"
            wait_until("the API server answering", lambda: http("GET", base + "api/v2/monitor/health")[0] == 200, 300)
            say(f"stack up (compose up -d until the API server answered) in {time.monotonic() - t:.0f}s")
            # Signing in as the README says: the password Airflow generated for its default user.
            generated = compose("exec", "-T", "airflow-apiserver", "cat",
                                "/opt/airflow/simple_auth_manager_passwords.json.generated").stdout
            password = json.loads(generated)["admin"]
            status, _, body = http("POST", base + "auth/token", body={"username": "admin", "password": password})
            assert status == 201, (status, body[:300])
            yield {"compose": compose, "base": base, "token": json.loads(body)["access_token"], "bucket": bucket,
                   "s3": f"http://127.0.0.1:{s3_port}", "creds": creds, "out": out, "t0": t0}
        finally:
            for service in ("postgres", "seaweedfs", "create-bucket", "airflow-init", "airflow-apiserver",
                            "airflow-scheduler", "airflow-dag-processor", "airflow-triggerer"):
                logs = compose("logs", "--no-color", service, check=False)
                (out / f"{service}.log").write_bytes(logs.stdout + logs.stderr)
            compose("down", "-v", "--remove-orphans", timeout=300, check=False)
            say("stack torn down: containers, network and volumes removed")
            if made_dotenv:
                dotenv.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def store(stack):
    """The stack's bucket, reached from the host through its 127.0.0.1 port."""
    from ner_pipeline.config import load_settings
    from ner_pipeline.storage import ObjectStore

    os.environ["AWS_ACCESS_KEY_ID"] = stack["creds"]["S3_ACCESS_KEY_ID"]
    os.environ["AWS_SECRET_ACCESS_KEY"] = stack["creds"]["S3_SECRET_ACCESS_KEY"]
    return ObjectStore(load_settings(environ={"NER__STORAGE__ENDPOINT_URL": stack["s3"],
                                              "NER__STORAGE__BUCKET": stack["bucket"]}))


def test_init_job_migrated_postgres(stack):
    compose = stack["compose"]
    assert compose.exit_code("airflow-init") == 0
    status, _, body = http("GET", stack["base"] + "api/v2/monitor/health")
    health = json.loads(body)
    assert status == 200 and health["metadatabase"]["status"] == "healthy", health
    say("checked: airflow-init (airflow db migrate) exited 0; the API server reports Postgres healthy")


def test_bucket_created(stack, store):
    assert stack["compose"].exit_code("create-bucket") == 0
    store.client.head_bucket(Bucket=stack["bucket"])
    say(f"checked: create-bucket exited 0; bucket {stack['bucket']} answers on SeaweedFS")


def test_api_server_answers(stack):
    status, _, body = http("GET", stack["base"] + "api/v2/version", token=stack["token"])
    assert status == 200, body[:300]
    version = json.loads(body)["version"]
    assert version.startswith("3."), version
    assert http("GET", stack["base"] + "api/v2/dags")[0] == 401  # no token, no API
    say(f"checked: API server answers (Airflow {version}); its API refuses a request without a token")


def test_dag_parses_in_the_dag_processor(stack):
    base, token = stack["base"], stack["token"]
    wait_until(f"{DAG_ID} parsed by the dag-processor",
               lambda: http("GET", base + f"api/v2/dags/{DAG_ID}", token=token)[0] == 200, 300)
    status, _, body = http("GET", base + "api/v2/importErrors", token=token)
    errors = json.loads(body)
    assert status == 200 and errors["total_entries"] == 0, errors
    say(f"checked: the dag-processor parsed {DAG_ID}; 0 import errors")


def test_dag_run_through_the_rest_api_promotes_a_champion(stack, store):
    from ner_pipeline.registry import Registry
    from ner_pipeline.split import to_jsonl
    from ner_pipeline.synth import generate

    base, token = stack["base"], stack["token"]
    dag_url = base + f"api/v2/dags/{DAG_ID}"
    store.put_bytes(store.key("incoming/synthetic", "compose-batch.jsonl"),
                    to_jsonl(generate(40, 303, long_share=0.0, min_chars=800, max_chars=1200)))
    t = time.monotonic()
    status, _, body = http("POST", dag_url + "/dagRuns", token=token, body={"logical_date": None, "conf": {}})
    assert status == 200, body[:500]
    run_id = json.loads(body)["dag_run_id"]
    # Unpausing also starts the run of the last 02:00 the DAG missed (start_date in the past,
    # catchup=False): Airflow's own behaviour, so the test waits for every run, not only its own.
    status, _, body = http("PATCH", dag_url, token=token, body={"is_paused": False})
    assert status == 200, body[:300]

    def all_finished():
        runs = json.loads(http("GET", dag_url + "/dagRuns", token=token)[2])["dag_runs"]
        done = all(r["state"] in ("success", "failed") for r in runs)
        return {r["dag_run_id"]: r["state"] for r in runs} if done and run_id in {r["dag_run_id"] for r in runs} else None

    runs = wait_until(f"run {run_id} to finish", all_finished, 1200, every=10)
    run_url = dag_url + f"/dagRuns/{urllib.request.quote(run_id, safe='')}"
    tasks = json.loads(http("GET", run_url + "/taskInstances", token=token)[2])["task_instances"]
    states = {ti["task_id"]: ti["state"] for ti in tasks}
    assert runs[run_id] == "success", (runs, states)
    registry = Registry(store)
    version = registry.version_for_run(run_id)
    champion = registry.champion()
    assert version and champion and champion["version"] in {registry.version_for_run(r) for r in runs}, champion
    stack["version"], stack["champion"] = version, champion["version"]
    say(f"checked: run {run_id} triggered through the REST API succeeded in {time.monotonic() - t:.0f}s "
        f"({sum(s == 'success' for s in states.values())} tasks succeeded) and promoted {version}; champion "
        f"{champion['version']} is in the bucket (runs: {runs})")


def test_ner_pages_refuse_anonymous_and_serve_the_registry_signed_in(stack):
    base, token = stack["base"], stack["token"]
    status, headers, _ = http("GET", base + "ner/")
    location = {k.lower(): v for k, v in headers.items()}.get("location", "")
    assert status in (302, 303, 307) and "login" in location, (status, location)
    assert http("GET", base + "ner/api/registry")[0] == 401
    status, _, body = http("GET", base + "ner/api/registry", token=token)
    assert status == 200
    registry = json.loads(body)
    assert registry["champion"]["version"] == stack["champion"]
    assert stack["version"] in {v["version"] for v in registry["versions"]}
    status, _, page = http("GET", base + "ner/", cookie=f"_token={token}")
    assert status == 200 and stack["champion"].encode() in page
    say("checked: /ner/ sends an anonymous browser to the login page and its API answers 401; signed in, "
        f"the registry page and API show champion {stack['champion']} and the run's version {stack['version']}")


def upload_tiny_base_model(store) -> str:
    """A tiny random BERT with the packaged tokenizer, saved as a mirror in the bucket: the image
    has no model of its own and no hub here, and an s3:// mirror is how production runs offline."""
    from ner_pipeline.train.model_loading import load_base_model

    model, tokenizer, _ = load_base_model("tiny:")
    prefix = store.key("base-models", "compose-tiny")
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        store.upload_dir(tmp, prefix)
    return store.uri(prefix) + "/"


def test_trainer_image_trains_as_its_non_root_user(stack, store):
    from ner_pipeline.config import load_settings
    from ner_pipeline.k8s import XCOM_FILE, train_command
    from ner_pipeline.snapshots import SnapshotStore

    compose, bucket = stack["compose"], stack["bucket"]
    user = run(["docker", "image", "inspect", "-f", "{{.Config.User}}", TRAINER_IMAGE]).stdout.decode().strip()
    uid = user.split(":")[0]
    assert uid and uid not in ("0", "root"), user
    dataset = SnapshotStore(store).latest()["uri"]
    output = f"s3://{bucket}/runs/compose-trainer-image/train/"
    base_model = upload_tiny_base_model(store)
    # The pod's own command (k8s.train_command: --profile gpu, --xcom-file /airflow/xcom/return.json),
    # plus a tiny model and one short epoch; credentials and endpoint from the environment, as the
    # Secret gives them in the cluster.
    cmds, args = train_command(load_settings(), dataset_uri=dataset, output_uri=output)
    overrides = [f"training.base_model={base_model}", "training.epochs=1", "training.max_length=128",
                 "training.stride=32", "training.batch_size=8"]
    name = "ner-compose-trainer-" + uuid.uuid4().hex[:6]
    t = time.monotonic()
    proc = run(["docker", "run", "--name", name, "--network", compose.network,
                "-e", f"AWS_ACCESS_KEY_ID={stack['creds']['S3_ACCESS_KEY_ID']}",
                "-e", f"AWS_SECRET_ACCESS_KEY={stack['creds']['S3_SECRET_ACCESS_KEY']}",
                "-e", "NER__STORAGE__ENDPOINT_URL=http://seaweedfs:8333", "-e", f"NER__STORAGE__BUCKET={bucket}",
                TRAINER_IMAGE, "sh", "-c", 'echo "uid=$(id -u)" && exec "$@"', "sh", *cmds, *args,
                *[x for o in overrides for x in ("--set", o)]],
               log=stack["out"] / "trainer-image.log", timeout=900, check=False)
    xcom = stack["out"] / "trainer-return.json"
    try:
        logs = (proc.stdout + proc.stderr).decode(errors="replace")
        assert proc.returncode == 0, logs[-3000:]
        assert f"uid={uid}" in logs
        run(["docker", "cp", f"{name}:{XCOM_FILE}", str(xcom)])
    finally:
        run(["docker", "rm", "-f", name], check=False)
    result = json.loads(xcom.read_text())
    assert result["output_uri"] == output, result
    keys = {obj["Key"].rsplit("/", 1)[-1] for obj in store.list(store.key_of(result["model_uri"]))}
    assert {"config.json", "model.safetensors"} <= keys, sorted(keys)  # id2label is in config.json
    say(f"checked: the trainer image ran `{' '.join(cmds + args[:3])} ...` as uid {uid} on the run's snapshot in "
        f"{time.monotonic() - t:.0f}s; the model is in {result['model_uri']} and {XCOM_FILE} holds the result")
    say(f"compose test: {time.monotonic() - stack['t0']:.0f}s up to here")
