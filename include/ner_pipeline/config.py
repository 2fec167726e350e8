"""One typed settings object for the whole pipeline.

Every default is written once, in include/config/ner_retraining.yaml (each setting with a
comment: the spaCy-style full config); the models here declare types, bounds and checks only.
A section built directly (`GateSettings()`, `ValidationSettings(drift_window=6)`) takes the keys
it is not given from that file, so tests and tools see the same defaults as a run.

load_settings resolves the layers of config_sources.py (config file, profile, NER__* environment
variables, `--set`), validates once, and reports every invalid field on its own line (ConfigError).
Values given as strings are parsed as YAML scalars so `--set training.epochs=3` is an int. The
resolved object is saved beside every run's outputs.
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, field_validator

from .config_gate import (  # noqa: F401  (the gate's sections: imported from here too)
    BootstrapSettings,
    GateSettings,
    LabelThreshold,
    PromotionSettings,
    RealGateSettings,
)
from .config_section import _Section  # noqa: F401  (the sections' base: imported from here too)
from .config_sources import (  # noqa: F401  (CONFIG_DIR, DEFAULT_FILE, parse_*: imported from here)
    CONFIG_DIR,
    DEFAULT_FILE,
    ConfigError,
    Resolved,
    defaults_at,
    error_lines,
    parse_override,
    parse_value,
    profile_names,
    resolve,
)


class StorageSettings(_Section):
    defaults_at = "storage"
    bucket: str
    prefix: str  # optional key prefix inside the bucket, e.g. "team-a/"
    endpoint_url: str | None  # None = AWS default endpoint
    region: str
    # Credentials never live in config: boto3's default chain (env, profile, IRSA) or an
    # Airflow connection id (looked up only inside tasks, never at parse time).
    aws_conn_id: str | None
    sse: Literal["none", "AES256", "aws:kms"]
    sse_kms_key_id: str | None


class LocalStoreSettings(_Section):
    """The embedded SeaweedFS of the local default (`make run`)."""

    defaults_at = "local_store"
    data_dir: str
    port: int


class SourcesSettings(_Section):
    defaults_at = "sources"
    synthetic_prefix: str
    real_prefix: str
    include: list[Literal["synthetic", "real"]]


class ValidationSettings(_Section):
    defaults_at = "validation"
    max_text_chars: int
    # Size caps: what one bad upload can cost. A file over max_file_bytes is rejected unread
    # (file_too_large); a line or list element over max_line_bytes is not parsed (line_too_long);
    # a record with more spans than max_spans_per_record is not checked further (too_many_spans).
    max_file_bytes: int
    max_line_bytes: int
    max_spans_per_record: int
    quarantine_rate_limit: float
    require_entities: bool
    reanchor_window: int
    # Drift repair (validate/drift.py): a misaligned span is moved, whole, by at most this many
    # characters; the stem rule (validate/stem.py) extends a span cut inside its last word, for
    # these labels only (never names: "[Ann]a" is not Ann).
    drift_window: int = Field(ge=0)
    stem_labels: list[str]
    drift_limit: float
    label_mapping: dict[str, str]
    label_mapping_case_insensitive: bool
    completeness_policy: dict[str, Literal["warn", "propagate", "quarantine"]]
    completeness_quarantine_share: float
    # Convention conflicts between sources (validate/conventions_check.py): reported, never
    # blocking, when two sources' rates differ by at least min_diff, each measured on at least
    # min_support cases (spans, pronouns, or occurrences of a lexicon word).
    convention_conflict_min_diff: float = Field(gt=0, le=1)
    convention_conflict_min_support: int = Field(ge=1)
    # Per source and scope, conventions are measured on the first this many records: rates settle
    # long before, and it bounds the cost (about 0.35 ms a record) on large batches and snapshots.
    convention_max_records: int = Field(ge=1)

    @field_validator("stem_labels")
    @classmethod
    def _stem_labels_are_labels(cls, v: list[str]) -> list[str]:
        from .records import LABELS

        unknown = [x for x in v if x not in LABELS]
        if unknown:
            raise ValueError(f"validation.stem_labels: not labels: {unknown}")
        return v


class AnnotationSettings(_Section):
    # Which offsets the target Label Studio counts (export-quarantine, preannotate): code_points
    # (Python's, newer Label Studio) or utf16 (JavaScript string indices, older Label Studio).
    # Imports need no setting: the reader decides per task (ingest/offsets.py).
    defaults_at = "annotation"
    label_studio_offsets: Literal["code_points", "utf16"]


class SynthSettings(_Section):
    defaults_at = "synth"
    enabled: bool  # seed/generate a batch when nothing new is in incoming/
    n: int
    seed: int
    long_share: float
    min_chars: int
    max_chars: int
    # A conventions file (`ner-pipeline conventions`) the generator follows; null: the label guide.
    conventions_file: str | None
    # The DAG's generation follows the conventions measured on the latest snapshot's real records
    # (train and validation splits) once it holds at least this many.
    conventions_min_real: int = Field(ge=1)


class SplitSettings(_Section):
    defaults_at = "split"
    validation_share: float
    test_share: float
    salt: str


class KubernetesSettings(_Section):
    # Quantities like cpu_limit: 16 arrive from YAML/--set as numbers; Kubernetes wants strings.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    defaults_at = "training.kubernetes"

    image: str
    namespace: str
    service_account: str
    gpu_count: int
    gpu_resource: str
    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str
    shm_size: str
    node_selector: dict[str, str]
    tolerations: list[dict[str, str]]
    priority_class: str | None
    secret_name: str
    config_file: str | None  # cluster credentials: in-cluster when None
    in_cluster: bool
    startup_timeout_seconds: int
    schedule_timeout_seconds: int
    active_deadline_seconds: int
    deferrable: bool
    profile: str


class TrainingSettings(_Section):
    defaults_at = "training"
    backend: Literal["local", "kubernetes"]
    base_model: str  # packaged:<module>, a dir, an s3:// prefix or a hub id
    max_length: int  # tokens per window, specials included
    stride: int  # overlap between windows, in tokens
    # Every sub-token carries a label (B- on a word's first piece, I- of its type on the rest,
    # like run_ner's label_all_tokens): the stock transformers pipeline the consumer serves with
    # then returns whole words under aggregation simple, first and max (tokens/decode.py).
    label_all_subtokens: bool
    learning_rate: float
    epochs: float
    batch_size: int
    eval_batch_size: int
    weight_decay: float
    warmup_ratio: float
    seed: int
    group_by_length: bool
    early_stopping_patience: int
    # Which validation records pick the best epoch and drive early stopping (trainer.py):
    # "auto" uses the real-source micro F1 once the validation split holds at least
    # best_metric_min_real real records, as the gate decides on real records whenever the test
    # split holds any; "all" always uses the whole split.
    best_metric_source: Literal["auto", "all"]
    best_metric_min_real: int = Field(ge=1)
    max_train_records: int | None
    # The mix under the cap (train/selection.py): real records always take the cap first and
    # synthetic ones fill the rest. real_share: when set, synthetic records are limited so that
    # real ones are at least this share of the distinct records trained on (null: synthetic fill
    # the cap). real_weight: each real record is trained on this many times (deterministic
    # oversampling; 1.5 = every real record once and a seeded half of them twice).
    real_share: float | None = Field(gt=0, le=1)
    real_weight: float = Field(ge=1.0)
    precision: Literal["auto", "fp32", "bf16", "fp16"]
    torch_threads: int | None
    # Dropout on attention probabilities; null keeps the base model's (0.1 for BERTs). On a CPU
    # it forces SDPA off its fused kernel onto the math path: 5.6x the attention time.
    attention_dropout: float | None
    kubernetes: KubernetesSettings


class WatcherSettings(_Section):
    """Optional event-driven runs: an AssetWatcher on incoming/ (schedule.py). The store sends its
    object-created events to a queue (S3 event notifications -> SQS); the trigger reads them."""

    defaults_at = "schedule.watcher"
    enabled: bool
    queue: str | None  # e.g. https://sqs.<region>.amazonaws.com/<account>/<queue>
    trigger: str
    trigger_kwargs: dict[str, Any]


class DeadlineSettings(_Section):
    """A DeadlineAlert on every run (schedule.py): notify when a run has not finished `minutes`
    after it was queued. `callback`: dotted path of an async callable or notifier class. Off by
    default: `airflow dags test` (make run) fails at the end of a run of a DAG with a DeadlineAlert
    in Airflow 3.3.2; on in the production profile (scheduler + triggerer)."""

    defaults_at = "schedule.deadline"
    enabled: bool
    minutes: int = Field(gt=0)
    callback: str
    callback_kwargs: dict[str, Any]


class ScheduleSettings(_Section):
    defaults_at = "schedule"
    cron: str
    on_new_data: bool  # also run when new files land (Airflow Assets for incoming/)
    watcher: WatcherSettings
    deadline: DeadlineSettings
    retries: int
    retry_delay_seconds: int
    train_retries: int
    owner: str


class Settings(_Section):
    profile: str
    storage: StorageSettings
    local_store: LocalStoreSettings
    sources: SourcesSettings
    validation: ValidationSettings
    annotation: AnnotationSettings
    synth: SynthSettings
    split: SplitSettings
    training: TrainingSettings
    gate: GateSettings
    promotion: PromotionSettings
    schedule: ScheduleSettings

    def key(self, *parts: str) -> str:
        """Object key under the configured prefix."""
        return self.storage.prefix + "/".join(p.strip("/") for p in parts if p)

    def uri(self, *parts: str) -> str:
        return f"s3://{self.storage.bucket}/{self.key(*parts)}"

    def digest(self) -> str:
        return config_digest(self.model_dump(mode="json"))


def config_digest(config: dict[str, Any]) -> str:
    """Settings.digest() of a resolved config, also of one as the trainer saved it (config.json)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]


def validate(resolved: Resolved) -> Settings:
    try:
        return Settings.model_validate(resolved.data)
    except ValidationError as exc:
        raise ConfigError("invalid settings:", error_lines(exc, resolved)) from None


def load_settings(
    profile: str | None = None,
    overrides: list[str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """The resolved, validated settings; ConfigError for an unknown profile or invalid fields."""
    return validate(resolve(profile, overrides, config_file, environ))
