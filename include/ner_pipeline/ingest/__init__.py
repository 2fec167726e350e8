"""Readers for incoming annotated data: canonical JSONL and Label Studio exports.

Light on purpose (standard library only): the DAG imports this at parse time.
`read_records` turns one file's bytes into `RawRecord`s and never raises on bad content;
deciding what is acceptable is the job of `ner_pipeline.validate`.
"""

from .files import file_sha256, infer_source
from .raw import RawRecord
from .reader import read_records

__all__ = ["RawRecord", "file_sha256", "infer_source", "read_records"]
