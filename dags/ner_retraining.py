"""
### NER retraining (child helpline)

Nightly (and on demand) this DAG turns newly arrived annotated transcripts into a better
token-classification model, or records exactly why it did not:

1. **discover** new JSONL in `incoming/synthetic/` and `incoming/real/` (by content hash);
2. **validate** every record with Great Expectations: accepted, repaired with an audit, or
   quarantined with reason codes under `quarantine/<run>/`; report + Data Docs under `validation/<run>/`;
3. **build_snapshot**: cumulative dataset snapshot with stable hash-based (leak-free) splits;
4. **train**: the trainer CLI, in a local subprocess (CPU) or a GPU pod (KubernetesPodOperator),
   chosen by `training.backend` / `NER_TRAINING_BACKEND`;
5. **evaluate**: strict entity-level P/R/F1 per label on the test split; the current champion is
   re-scored on the same records;
6. **gate** → **promote** (new immutable version + conditional move of `champion.json`) or
   **record_rejection** (every failed rule in `models/ner/history.jsonl`); with
   `promotion.approval: required` a passing (or forced) model first waits in **approve_promotion**
   (Browse → Required Actions): Approve → promote, Reject or timeout → record_rejection, with the
   reviewer's name and comment;
7. **report**: one summary of counts, metrics, gate rules and outcome.

Every registry change records who: the user who triggered the run (else the scheduler), the reviewer.
A DeadlineAlert notifies when a run has not finished `schedule.deadline.minutes` after it was queued.

No transcript text is written to logs or XCom: only counts, ids, codes and object-store URIs.
Settings: `include/config/ner_retraining.yaml` (profiles and `NER__SECTION__KEY` env overrides).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, TriggerRule, dag, task

from ner_pipeline import approval, schedule
from ner_pipeline.config import load_settings
from ner_pipeline.layout import RunPaths, run_key

# Parse-time work is limited to reading the YAML config: no DB, connection, network or
# heavy import. Each task reloads settings at run time, so env overrides apply there too.
SETTINGS = load_settings()
DAG_ID = "ner_retraining"
APPROVAL = approval.required(SETTINGS)  # the graph has an approval task only when required


def _settings():
    return load_settings()


def _env():
    """(settings, store) for one task, made at run time (never while the file is parsed)."""
    from ner_pipeline.storage import ObjectStore

    settings = load_settings()
    return settings, ObjectStore(settings)


def _ctx() -> tuple[str, dict]:
    from airflow.sdk import get_current_context

    ctx = get_current_context()
    return ctx["run_id"], ctx["params"]


def _who() -> str:
    """The user who triggered the run, else the scheduler ("airflow"). With a review, the reviewer
    is the `who` of the change and this is kept as `triggered_by` (approval.attribution)."""
    from airflow.sdk import get_current_context

    dag_run = get_current_context().get("dag_run")
    return getattr(dag_run, "triggering_user_name", None) or approval.SCHEDULER


def _review() -> dict | None:
    """The reviewer's answer (approve_promotion's XCom), None when there was no review."""
    from airflow.sdk import get_current_context

    if not APPROVAL:
        return None
    return get_current_context()["ti"].xcom_pull(task_ids=approval.TASK_ID, key="review")


# -- the tasks: each task id is its function's name (train_local's is "train") ----------------

@task(task_display_name="Generate synthetic batch")
def generate_synthetic() -> dict:
    """Optional: write a generated batch to incoming/synthetic/ (Param `generate_synthetic`)."""
    from ner_pipeline import stages

    run_id, params = _ctx()
    if not params["generate_synthetic"]:
        from airflow.sdk.exceptions import AirflowSkipException

        raise AirflowSkipException("generate_synthetic is off for this run")
    settings, store = _env()
    return stages.generate_synthetic(settings, run_id, n=params["synthetic_count"], store=store)


@task(task_display_name="Discover new files", trigger_rule=TriggerRule.NONE_FAILED)
def discover() -> dict:
    """List incoming files whose content hash was never consumed."""
    from ner_pipeline import stages

    run_id, params = _ctx()
    settings, store = _env()
    return stages.discover(settings, run_id, params["sources"], store=store)


@task(task_display_name="Validate (Great Expectations)")
def validate(discovered: dict) -> dict:
    """Accept, repair (audited) or quarantine every record; GX suite + Data Docs."""
    from ner_pipeline import stages

    run_id, _ = _ctx()
    settings, store = _env()
    return stages.validate(settings, run_id, discovered, store=store)


@task(task_display_name="Build dataset snapshot")
def build_snapshot(validated: dict) -> dict:
    """Cumulative snapshot with stable hash-based train/validation/test splits."""
    from ner_pipeline import stages

    run_id, _ = _ctx()
    settings, store = _env()
    return stages.build_snapshot(settings, run_id, validated, store=store)


@task(task_id="train", task_display_name="Train (local CPU subprocess)", retries=SETTINGS.schedule.train_retries)
def train_local(snap: dict) -> dict:
    """The same trainer CLI the GPU pod runs, in a subprocess."""
    from ner_pipeline import stages

    run_id, _ = _ctx()
    return stages.train_local(_settings(), run_id, snap["dataset_uri"])


def train(snapshot):
    """The train task after `snapshot`: a GPU pod (training.backend kubernetes) or train_local; its result."""
    if SETTINGS.training.backend != "kubernetes":
        return train_local(snapshot)
    from ner_pipeline.k8s import make_train_operator

    pod = make_train_operator(
        SETTINGS,
        dataset_uri="{{ ti.xcom_pull(task_ids='build_snapshot')['dataset_uri'] }}",
        output_uri=SETTINGS.uri(RunPaths.for_key("{{ run_id | run_key }}").train) + "/",
        retries=SETTINGS.schedule.train_retries,
        task_display_name="Train (GPU pod)",
    )
    snapshot >> pod
    return pod.output


@task(task_display_name="Evaluate (challenger vs champion)")
def evaluate(snap: dict, trained: dict) -> dict:
    """Strict entity-level metrics; the champion re-scored on the same test records."""
    from ner_pipeline import stages

    run_id, _ = _ctx()
    settings, store = _env()
    return stages.evaluate(settings, run_id, snap["dataset_uri"], trained, store=store)


@task.branch(task_display_name="Gate")
def gate(evaluation: dict) -> list[str]:
    """Apply the promotion rules; branch to promote, approve_promotion or record_rejection."""
    from airflow.sdk import conf, get_current_context

    from ner_pipeline import stages

    run_id, params = _ctx()
    settings, store = _env()
    who = _who()
    # stages.gate refuses force_promote without a reason (promotion.Request), before judging
    decision = stages.gate(settings, run_id, evaluation, dry_run=params["dry_run"],
                           force_promote=params["force_promote"], reason=params["reason"], triggered_by=who,
                           store=store)
    ti = get_current_context()["ti"]
    ti.xcom_push(key="decision", value=decision)
    branches = approval.route(decision, "required" if APPROVAL else "auto")  # the graph parsed
    if approval.TASK_ID in branches:
        ti.xcom_push(key="approval", value=approval.prepare(
            settings, run_id, evaluation=evaluation, decision=decision, dag_id=DAG_ID, triggered_by=who,
            reason=params["reason"], base_url=conf.get("api", "base_url", fallback=None), store=store))
    return branches


@task(task_display_name="Promote to registry", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def promote(snap: dict, trained: dict, evaluation: dict) -> dict:
    """Immutable version + conditional write of models/ner/champion.json."""
    from airflow.sdk import get_current_context

    from ner_pipeline import stages

    run_id, params = _ctx()
    decision = get_current_context()["ti"].xcom_pull(task_ids="gate", key="decision")
    settings, store = _env()
    return stages.promote(settings, run_id, snapshot=snap, train_result=trained, evaluation=evaluation,
                          decision=decision, dag_id=DAG_ID, reason=params["reason"], who=_who(),
                          review=_review(), store=store)


@task(task_display_name="Record rejection", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def record_rejection(evaluation: dict) -> dict:
    """Write why the model was not promoted (gate, dry run, reviewer or timeout) to the history."""
    from airflow.sdk import get_current_context

    from ner_pipeline import stages

    run_id, params = _ctx()
    decision = get_current_context()["ti"].xcom_pull(task_ids="gate", key="decision")
    settings, store = _env()
    return stages.record_rejection(settings, run_id, evaluation=evaluation, decision=decision,
                                   reason=params["reason"], who=_who(), review=_review(), store=store)


@task(task_display_name="Report", trigger_rule=TriggerRule.NONE_FAILED_MIN_ONE_SUCCESS)
def report(validated: dict, evaluation: dict) -> dict:
    """Counts per source, per-entity metrics, gate rules and the outcome, in one summary."""
    from airflow.sdk import get_current_context

    from ner_pipeline import stages

    run_id, _ = _ctx()
    ti = get_current_context()["ti"]
    settings, store = _env()
    return stages.report(settings, run_id, validated=validated, evaluation=evaluation,
                         decision=ti.xcom_pull(task_ids="gate", key="decision"),
                         promoted=ti.xcom_pull(task_ids="promote"),
                         rejected=ti.xcom_pull(task_ids="record_rejection"), store=store)


# -- the graph ---------------------------------------------------------------------------------

@dag(
    dag_id=DAG_ID,
    schedule=schedule.timetable(SETTINGS),
    deadline=schedule.deadline_alert(SETTINGS),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["ner", "ml", "retraining", "child-helpline"],
    default_args={
        "owner": SETTINGS.schedule.owner,
        "retries": SETTINGS.schedule.retries,
        "retry_delay": timedelta(seconds=SETTINGS.schedule.retry_delay_seconds),
    },
    params={
        "sources": Param(list(SETTINGS.sources.include), type="array", title="Sources",
                         description="Which incoming prefixes to read.",
                         items={"type": "string", "enum": ["synthetic", "real"]}, minItems=1, uniqueItems=True),
        "generate_synthetic": Param(False, type="boolean", title="Generate a synthetic batch",
                                    description="First write a fresh generated batch to incoming/synthetic/."),
        "synthetic_count": Param(SETTINGS.synth.n, type="integer", minimum=10, maximum=200000,
                                 title="Synthetic batch size", description="Records to generate when enabled."),
        "dry_run": Param(False, type="boolean", title="Dry run",
                         description="Train and evaluate, but stop before promotion."),
        "force_promote": Param(False, type="boolean", title="Force promotion",
                               description="Promote even if the gate fails (requires a reason)."),
        "reason": Param("", type="string", title="Reason", maxLength=500,
                        description="Why this run was triggered; required with force promotion."),
    },
    render_template_as_native_obj=True,
    user_defined_filters={"run_key": run_key},
)
def ner_retraining():
    # An ordering only, no XCom: a skipped generate_synthetic (the default) has none to pull.
    discovered = discover()
    generate_synthetic() >> discovered
    validated = validate(discovered)
    snapshot = build_snapshot(validated)
    train_result = train(snapshot)
    evaluation = evaluate(snapshot, train_result)
    branch = gate(evaluation)
    promoted = promote(snapshot, train_result, evaluation)
    rejected = record_rejection(evaluation)
    branch >> [promoted, rejected]
    if APPROVAL:
        from ner_pipeline.approval_operator import make_approval_operator

        review = make_approval_operator(SETTINGS)
        branch >> review >> [promoted, rejected]
    final = report(validated, evaluation)
    [promoted, rejected] >> final


ner_retraining()
