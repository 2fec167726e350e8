"""How the boto3 S3 client is built: region, endpoint, timeouts and retries, and the one place
credentials are looked up (the embedded store's own file after `make run`, or an Airflow
connection inside a task; else boto3's default chain). storage.ObjectStore is its only user."""

from __future__ import annotations

import os
from typing import Any

from .config import Settings


def local_store_credentials(settings: Settings, environ: Any = None) -> dict[str, str] | None:
    """After `make run`: the local profile's endpoint is the embedded store, whose keys live in
    .local/s3.env. Those keys, when the endpoint is that store, the environment holds no AWS
    keys or profile, no Airflow connection is configured and the file exists; else None."""
    env = os.environ if environ is None else environ
    if env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE") or settings.storage.aws_conn_id:
        return None
    from .localstore import local_store

    ls = local_store(settings)
    endpoint = (settings.storage.endpoint_url or "").rstrip("/")
    if endpoint not in (ls.endpoint, f"http://localhost:{ls.port}") or not ls.env_file.is_file():
        return None
    return ls.credentials()


def client_from_settings(settings: Settings):
    import boto3
    from botocore.config import Config

    kwargs: dict[str, Any] = {
        "region_name": settings.storage.region,
        "config": Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=60),
    }
    if settings.storage.endpoint_url:
        kwargs["endpoint_url"] = settings.storage.endpoint_url
    # The one place credentials are looked up for every command: the local store's own file.
    local = local_store_credentials(settings)
    if local:
        kwargs["aws_access_key_id"] = local.get("AWS_ACCESS_KEY_ID")
        kwargs["aws_secret_access_key"] = local.get("AWS_SECRET_ACCESS_KEY")
    if settings.storage.aws_conn_id:
        # Only inside a running task: parsing the DAG never looks up a connection.
        from airflow.sdk import BaseHook

        conn = BaseHook.get_connection(settings.storage.aws_conn_id)
        kwargs["aws_access_key_id"] = conn.login
        kwargs["aws_secret_access_key"] = conn.password
        extra = conn.extra_dejson or {}
        if extra.get("endpoint_url") and not settings.storage.endpoint_url:
            kwargs["endpoint_url"] = extra["endpoint_url"]
    return boto3.client("s3", **kwargs)
