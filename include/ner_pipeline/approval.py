"""A named person signs off before a model is served (`promotion.approval: auto | required`).

With `required`, a model the gate would promote (or a forced promotion) waits in the DAG's
`approve_promotion` task: Airflow's human-in-the-loop operator (Browse -> Required Actions, or the
REST API `/api/v2/hitlDetails`). Approve -> `promote`; Reject (with a comment) or no answer within
`promotion.approval_timeout_hours` -> `record_rejection`, with the reviewer's name and comment.

The graph (dags/ner_retraining.py builds it from `route`):

    gate ─┬─► approve_promotion ─┬─► promote ──────────┐
          │   (Approve | Reject)  └─► record_rejection ─┼─► report
          ├─► record_rejection (gate failed, dry run) ──┤
          └─► promote (auto; or a run promoted before) ─┘

promote and record_rejection run on NONE_FAILED_MIN_ONE_SUCCESS, so a skipped review (gate
failed) does not skip record_rejection; promote itself refuses a run without an approval when
approval is required (stages.promote), whatever the graph.

Everything here is a pure function of small dicts (no Airflow, no store) except `prepare`, which
reads the run's blessing (the metrics the gate judged are in it) and writes `runs/<run>/approval/request.json` (what the UI shows as a
pending approval). The review body (approval_review.py) is built from metrics, rule outcomes and
counts only, never from records, so no transcript text can reach it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from .approval_review import SCHEDULER, confusion_summary, review_body  # noqa: F401  (imported from here too)
from .timestamps import iso

TASK_ID = "approve_promotion"
PROMOTE = "promote"
REJECT_TASK = "record_rejection"
APPROVE, REJECT = "Approve", "Reject"  # the HITL options (ApprovalOperator's names)
# History kinds of a review that said no (the gate's own is "rejection").
REVIEW_KINDS = {"rejected": "review_rejection", "timeout": "review_timeout"}


# -- routing ------------------------------------------------------------------------------

def required(settings: Any) -> bool:
    return settings.promotion.approval == "required"


def route(decision: dict[str, Any], mode: str) -> list[str]:
    """The tasks the gate branches to. With approval required, a promotion (forced or not) goes
    to the reviewer first: promote and record_rejection are chosen too, so the gate does not skip
    them, and both wait for the review task, which skips the one the answer does not pick. A run
    promoted before keeps its decision (promote is idempotent; nobody is asked twice)."""
    if not decision.get("promote"):
        return [REJECT_TASK]
    if mode == "required" and not decision.get("already_promoted"):
        return [TASK_ID, PROMOTE, REJECT_TASK]
    return [PROMOTE]


def response_timeout(settings: Any) -> timedelta:
    """How long the reviewer has. It is the HITL task's `response_timeout` (enforced by the
    scheduler once the task waits for input), never `execution_timeout`: that one counts from the
    task's start and, in Airflow 3.1's HITL operators, could fire before the task deferred
    (apache/airflow#55866, fixed by `response_timeout` in #63475)."""
    return timedelta(hours=settings.promotion.approval_timeout_hours)


def operator_kwargs(settings: Any) -> dict[str, Any]:
    """Arguments of the approval task that decide its timing and its answer on timeout."""
    return {
        "task_id": TASK_ID,
        "response_timeout": response_timeout(settings),
        "execution_timeout": None,  # explicit: a DAG-wide execution_timeout must not reach it
        "defaults": [REJECT],  # no answer in time is a rejection, recorded as review_timeout
        "options_mapping": {APPROVE: PROMOTE, REJECT: REJECT_TASK},
        "retries": 0,  # a retry would ask the reviewer a second time
    }


# -- the reviewer's answer ----------------------------------------------------------------

def _iso(ts: Any) -> str | None:
    if ts is None:
        return None
    if isinstance(ts, datetime):
        return iso(ts.astimezone(timezone.utc))
    return str(ts)


def review_from_event(event: dict[str, Any]) -> dict[str, Any]:
    """The HITL response event as the audit trail keeps it: decision (approved | rejected |
    timeout), by (the reviewer's name, None on timeout), by_id, at, comment."""
    chosen = list(event.get("chosen_options") or [])
    timed_out = bool(event.get("timedout"))
    user = event.get("responded_by_user") or {}
    comment = str((event.get("params_input") or {}).get("comment") or "").strip()
    if timed_out:
        decision = "timeout"
    elif chosen == [APPROVE]:
        decision = "approved"
    else:
        decision = "rejected"
    return {"decision": decision, "by": None if timed_out else (user.get("name") or user.get("id") or None),
            "by_id": None if timed_out else user.get("id"), "at": _iso(event.get("responded_at")),
            "comment": comment or None}


def attribution(triggered_by: str | None, review: dict[str, Any] | None) -> dict[str, Any]:
    """Who a registry change is recorded as. `who` is the person who decided: the reviewer when
    there was a review (the scheduler on a timeout), else the user who triggered the run, else
    the scheduler. `triggered_by` and `approval` keep the rest of the story."""
    triggered_by = triggered_by or SCHEDULER
    out: dict[str, Any] = {"triggered_by": triggered_by}
    if review:
        out["approval"] = review
        out["who"] = review.get("by") or SCHEDULER
    else:
        out["who"] = triggered_by
    return out


def rejection_of(review: dict[str, Any], timeout: timedelta | None = None) -> tuple[str, str]:
    """(history kind, reason) of a review that did not approve."""
    if review["decision"] == "timeout":
        hours = f" within {timeout.total_seconds() / 3600:g} h" if timeout else ""
        return REVIEW_KINDS["timeout"], f"no review decision{hours}: not promoted"
    why = f"rejected by {review.get('by') or 'a reviewer'}"
    return REVIEW_KINDS["rejected"], why + (f": {review['comment']}" if review.get("comment") else " (no comment)")


def cli_refusal(mode: str, *, force: bool, review: dict[str, Any] | None) -> str | None:
    """Why `registry promote` may not promote a run under this approval mode (None: it may).
    With approval required, the command line promotes only a run a reviewer approved; a forced
    promotion goes through the DAG (force_promote + reason), where a reviewer approves it."""
    if mode != "required":
        return None
    if force:
        return ("promotion.approval is 'required': a forced promotion needs a reviewer's approval; trigger the "
                "DAG with force_promote and a reason, and approve it under Required Actions")
    if not review or review.get("decision") != "approved":
        state = (review or {}).get("decision") or "no approval recorded"
        return f"promotion.approval is 'required' and this run has {state}: approve it in Airflow first"
    return None


def subject(run_id: str, forced: bool) -> str:
    return f"{'FORCED ' if forced else ''}NER model promotion: approve run {run_id}?"


def run_page_url(base_url: str | None, dag_id: str, run_id: str) -> str:
    """The run's "NER models" tab inside the Airflow UI (root-relative without a base URL)."""
    return f"{(base_url or '').rstrip('/')}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}/plugin/ner-run"


def required_actions_url(base: str, dag_id: str, run_id: str) -> str:
    """Airflow's Required Actions for this run's approval task (`base`: Airflow's base path)."""
    return (f"{base.rstrip('/')}/dags/{quote(dag_id, safe='')}/runs/{quote(run_id, safe='')}"
            f"/tasks/{TASK_ID}/required_actions")


def status(request: dict[str, Any] | None, decisions: list[dict[str, Any]], *, now: datetime | None = None
           ) -> dict[str, Any] | None:
    """What the run page shows: None (no approval asked), or {"state": pending | approved |
    rejected | timeout, ...the request, "review"}. Pending until a decision is in the history."""
    if not request:
        return None
    for ev in reversed(decisions):
        review = ev.get("approval")
        if review and review.get("decision"):
            return {**request, "state": review["decision"], "review": review}
    state = "pending"
    expires = request.get("expires_at")
    now = now or datetime.now(timezone.utc)
    if expires and expires < _iso(now):
        state = "overdue"  # past its timeout and nothing recorded: the scheduler resolves it
    return {**request, "state": state, "review": None}


# -- the one I/O step ---------------------------------------------------------------------

def prepare(settings: Any, run_id: str, *, evaluation: dict[str, Any], decision: dict[str, Any], dag_id: str,
            triggered_by: str | None, reason: str, base_url: str | None, store: Any = None) -> dict[str, str]:
    """Write runs/<run>/approval/request.json and return the task's {"subject", "body"}. The
    metrics shown are the ones the gate judged (the blessing's `inputs`), not a second read."""
    from .layout import RunPaths
    from .storage import ObjectStore

    store = store or ObjectStore(settings)
    blessing = store.get_json(store.key_of(decision["blessing_uri"])) or {}
    inputs = blessing.get("inputs") or {}
    paths = RunPaths(run_id)
    confusion = store.get_json(store.key(paths.confusion))
    forced = bool(decision.get("force_promote") and not decision.get("passed"))
    timeout = response_timeout(settings)
    page = run_page_url(base_url, dag_id, run_id)
    body = review_body(run_id=run_id, blessing=blessing, metrics=inputs.get("metrics") or {},
                       champion_metrics=inputs.get("champion_metrics"), confusion=confusion, run_page_url=page,
                       triggered_by=triggered_by, forced=forced, reason=reason, timeout=timeout)
    now = datetime.now(timezone.utc)
    store.put_json(store.key(paths.approval_request), {
        "run_id": run_id, "dag_id": dag_id, "task_id": TASK_ID, "forced": forced,
        "triggered_by": triggered_by or SCHEDULER, "requested_at": _iso(now), "expires_at": _iso(now + timeout),
        "timeout_hours": settings.promotion.approval_timeout_hours, "micro_f1": evaluation.get("micro_f1"),
        "champion_version": evaluation.get("champion_version"),
    })
    return {"subject": subject(run_id, forced), "body": body}
