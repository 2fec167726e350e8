"""Test buckets are dropped when their test ends.

SeaweedFS gives every bucket a collection with a volume of its own, and `weed mini` allows only
free disk / volume size limit (128 MB) volumes. The suite makes a few hundred buckets, so on a
machine with ~30 GB free the last tests' writes failed with InternalError ("no free volumes")
until the buckets were dropped again: deleting a bucket frees its collection's volume.
"""

from __future__ import annotations

import warnings

from ner_pipeline.storage import ObjectStore


def drop_bucket(store: ObjectStore) -> None:
    """Delete every object in the store's bucket (whatever its prefix), then the bucket."""
    from botocore.exceptions import BotoCoreError, ClientError

    client, bucket = store.client, store.bucket
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": o["Key"]} for o in page.get("Contents", []) or []]
            if keys:
                client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
        client.delete_bucket(Bucket=bucket)
    except (BotoCoreError, ClientError) as exc:  # a test that stopped its store, or broke it on purpose
        warnings.warn(f"test bucket {bucket} not dropped: {exc}", stacklevel=2)
