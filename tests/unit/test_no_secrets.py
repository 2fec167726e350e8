"""No credentials in the repository, the configuration or what the pipeline renders from it.

- every git-tracked file is scanned for secret-looking values (cloud keys, tokens, private keys)
  and config-like files for credentials written inline instead of referenced;
- the settings object has no credential fields, and its rendered form (what the trainer saves as
  config.json beside every run) holds none of the credentials in the environment;
- the S3 client takes its credentials from the Airflow connection named in storage.aws_conn_id,
  or from boto3's default chain (the environment), never from configuration.
Elsewhere: the rendered training pod carries a secret *reference* only (tests/dags/
test_pod_render.py::test_rendered_pod), the whole-DAG run checks task logs, XCom and every stored
object for the store's credentials (tests/integration/test_dag_run.py), and the plugin's pages
refuse unauthenticated requests (tests/unit/test_ui.py::test_unauthenticated_requests_are_refused
and ::test_real_airflow_auth).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from ner_pipeline.config import load_settings

REPO = Path(__file__).resolve().parents[2]

SECRET_PATTERNS = {
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}\b"),
    "AWS secret access key": re.compile(
        r"(?i)aws_?secret_?access_?key\W{0,4}\s*[:=]\s*['\"]?[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+])"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY( BLOCK)?-----"),
    "GitHub token": re.compile(r"\b(?:ghp|gho|ghu|ghs|ghr|github_pat)_[A-Za-z0-9_]{30,}"),
    "Hugging Face token": re.compile(r"\bhf_[A-Za-z0-9]{30,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "JSON web token": re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"),
    "URL with a password": re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s/:@'\"]+:(?!\$\{)[^\s/@'\"]{6,}@[\w.-]+"),
}
# Config-like files: a credential-ish key must be a reference (${VAR}, a secret's name, null),
# a placeholder, or empty; never a literal value.
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".ini", ".cfg", ".env", ".example", ".conf", ".json")
KEY_VALUE = re.compile(r"(?m)(?:^|(?<!\$)\{|[,\s])\s*(?:-\s*)?[\"']?([A-Za-z0-9_.-]+)[\"']?\s*[:=]\s*[\"']?([^\s\"'#,}]*)")
CREDENTIAL_WORDS = {"password", "passwd", "pwd", "secret", "token", "credential", "credentials", "apikey"}
CREDENTIAL_PAIRS = {("access", "key"), ("api", "key"), ("private", "key"), ("secret", "key")}
ALLOWED_VALUE = re.compile(r"^(|null|none|~|false|true|\$\{.*|replace-me[\w-]*|changeme|<[^>]+>|\{\{.*)$", re.I)
ALLOWED_KEYS = {"secret_name", "secretname", "secretref", "secret_ref"}  # names of k8s secrets, not values


def is_credential_key(key: str) -> bool:
    words = [w for w in re.split(r"[_.\-]+", key.lower()) if w]
    return bool(CREDENTIAL_WORDS & set(words)) or any(pair in CREDENTIAL_PAIRS for pair in zip(words, words[1:]))


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [REPO / p for p in out.decode().split("\0") if p]


def test_no_secret_looking_values_in_tracked_files():
    files = tracked_files()
    assert len(files) > 50
    hits = []
    for path in files:
        if not path.is_file():
            continue  # deleted in the working tree
        text = path.read_text(encoding="utf-8", errors="replace")
        for what, pattern in SECRET_PATTERNS.items():
            for m in pattern.finditer(text):
                hits.append(f"{path.relative_to(REPO)}: {what}: {m.group(0)[:24]}...")
    assert not hits, "secret-looking values in the repository:\n" + "\n".join(hits)


def test_config_files_reference_credentials_never_inline_them():
    hits = []
    for path in tracked_files():
        name = path.name.lower()
        if not path.is_file() or not (name.endswith(CONFIG_SUFFIXES) or name in ("dockerfile", ".env")
                                      or name.startswith("docker-compose")):
            continue
        if "tests/data" in path.as_posix():  # bad-input corpus: records, not configuration
            continue
        hits += [f"{path.relative_to(REPO)}: {key} = {value[:4]}..."
                 for key, value in inline_credentials(path.read_text(encoding="utf-8", errors="replace"))]
    assert not hits, "credentials written into configuration:\n" + "\n".join(hits)


def inline_credentials(text: str) -> list[tuple[str, str]]:
    """(key, value) pairs where a credential-named key holds a literal value."""
    out = []
    for m in KEY_VALUE.finditer(text):
        key, value = m.group(1), m.group(2)
        if is_credential_key(key) and key.lower() not in ALLOWED_KEYS and not ALLOWED_VALUE.match(value):
            out.append((key, value))
    return out


def test_the_config_check_itself():
    assert inline_credentials("  POSTGRES_PASSWORD: hunter2\n") == [("POSTGRES_PASSWORD", "hunter2")]
    assert inline_credentials('{"aws_secret_access_key": "abc123"}') == [("aws_secret_access_key", "abc123")]
    assert inline_credentials("  AWS_SECRET_ACCESS_KEY: ${S3_SECRET_ACCESS_KEY:?set in .env}\n"
                              "  secret_name: ner-object-store\n  S3_SECRET_ACCESS_KEY=replace-me\n") == []


def test_credential_files_are_ignored_not_tracked():
    tracked = {p.relative_to(REPO).as_posix() for p in tracked_files()}
    for name in tracked:
        base = name.rsplit("/", 1)[-1]
        assert base not in (".env", "s3.env", "credentials", "kubeconfig", "id_rsa", "id_ed25519"), name
        assert not base.endswith((".pem", ".key", ".p12", ".pfx", ".keytab")), name
    for candidate in (".env", ".local/s3.env", ".local/seaweedfs/x"):  # where make run keeps credentials
        ignored = subprocess.run(["git", "check-ignore", "-q", candidate], cwd=REPO).returncode == 0
        assert ignored, f"{candidate} would not be ignored by git"


def _walk_keys(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield f"{prefix}{k}"
            yield from _walk_keys(v, f"{prefix}{k}.")


def test_settings_hold_no_credentials_and_render_none(monkeypatch):
    secret = "canary" + "-s3-secret-" + "4f1d0e9b8a7c"
    key_id = "AKIA" + "CANARY" * 2 + "0000"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret)
    for profile in ("local", "gpu"):
        settings = load_settings(profile)
        dumped = settings.model_dump(mode="json")
        leaky = [k for k in _walk_keys(dumped) if is_credential_key(k.rsplit(".", 1)[-1])
                 and k.rsplit(".", 1)[-1].lower() not in ALLOWED_KEYS]
        assert not leaky, f"settings fields that would hold credentials: {leaky}"
        rendered = settings.model_dump_json()  # what the trainer writes as config.json per run
        assert secret not in rendered and key_id not in rendered


def test_s3_credentials_come_from_the_airflow_connection(monkeypatch, tmp_path):
    """storage.aws_conn_id set: login/password (and endpoint) of that connection, not the environment."""
    from ner_pipeline.storage_client import client_from_settings as _client_from_settings

    login, password = "AKIA" + "FROMCONN" + "X" * 8, "from-connection-" + "1" * 8
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    monkeypatch.setenv("AIRFLOW_CONN_NER_OBJECT_STORE", '{"conn_type": "aws", "login": "%s", "password": "%s", '
                       '"extra": {"endpoint_url": "http://127.0.0.1:9"}}' % (login, password))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA" + "FROMENV" + "Y" * 9)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-environment")
    settings = load_settings("local", overrides=["storage.aws_conn_id=ner_object_store", "storage.endpoint_url=null"],
                             environ={})
    client = _client_from_settings(settings)
    creds = client._request_signer._credentials
    assert (creds.access_key, creds.secret_key) == (login, password)
    assert client.meta.endpoint_url == "http://127.0.0.1:9"


def test_s3_credentials_come_from_the_environment_by_default(monkeypatch):
    import boto3

    from ner_pipeline.storage_client import client_from_settings as _client_from_settings

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a fresh chain, not credentials cached by other tests
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA" + "FROMENV" + "Z" * 9)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "from-environment-only")
    settings = load_settings("local", environ={})
    assert settings.storage.aws_conn_id is None
    creds = _client_from_settings(settings)._request_signer._credentials
    assert (creds.access_key, creds.secret_key) == ("AKIA" + "FROMENV" + "Z" * 9, "from-environment-only")


@pytest.mark.parametrize("key, credential", [("AWS_SECRET_ACCESS_KEY", True), ("POSTGRES_PASSWORD", True),
                                             ("jwt_secret", True), ("api_key", True), ("label_all_subtokens", False),
                                             ("TOKENIZERS_PARALLELISM", False), ("secret_name", True)])
def test_credential_key_names(key, credential):
    assert is_credential_key(key) is credential


@pytest.mark.parametrize("text, leak", [
    ("aws_access_key_id = " + "AKIA" + "ABCDEFGHIJKLMNOP", True),
    ("AWS_SECRET_ACCESS_KEY=" + "a" * 20 + "B/" + "c" * 18, True),
    ("-----BEGIN " + "RSA PRIVATE KEY-----", True),
    ("postgresql://airflow:" + "hunter22" + "@db/airflow", True),
    ("postgresql://airflow:${POSTGRES_PASSWORD}@postgres/airflow", False),
    ("AWS_SECRET_ACCESS_KEY: ${S3_SECRET_ACCESS_KEY:?set in .env}", False),
])
def test_the_scanner_itself_catches_what_it_should(text, leak):
    assert any(p.search(text) for p in SECRET_PATTERNS.values()) is leak
