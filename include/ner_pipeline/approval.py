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
pending approval). The review body is built from metrics, rule outcomes and counts only, never
from records, so no transcript text can reach it.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from .evaluate.formatting import md_rules_table, md_table
from .evaluate.gate import evaluated_on

TASK_ID = "approve_promotion"
PROMOTE = "promote"
REJECT_TASK = "record_rejection"
APPROVE, REJECT = "Approve", "Reject"  # the HITL options (ApprovalOperator's names)
# History kinds of a review that said no (the gate's own is "rejection").
REVIEW_KINDS = {"rejected": "review_rejection", "timeout": "review_timeout"}
SCHEDULER = "airflow"  # who a scheduled run's changes are recorded as


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
        return ts.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
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


# -- what the reviewer sees ---------------------------------------------------------------

def _delta(a: Any, b: Any) -> str:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return f"{a - b:+.4f}"
    return "–"


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return md_table(header, rows, none="–")


def confusion_summary(confusion: dict[str, Any] | None, top: int = 6) -> dict[str, Any]:
    """The largest off-diagonal cells of the word-level confusion matrix (gold -> predicted),
    and per label the words missed (predicted O) and the words invented (gold O)."""
    if not confusion or not confusion.get("matrix"):
        return {"n_words": 0, "top": [], "missed": {}, "spurious": {}}
    labels, matrix = confusion["labels"], confusion["matrix"]
    cells = [(matrix[i][j], labels[i], labels[j]) for i in range(len(labels)) for j in range(len(labels))
             if i != j and labels[i] != "O" and labels[j] != "O" and matrix[i][j]]
    o = labels.index("O") if "O" in labels else None
    missed = {labels[i]: matrix[i][o] for i in range(len(labels)) if o is not None and i != o and matrix[i][o]}
    spurious = {labels[j]: matrix[o][j] for j in range(len(labels)) if o is not None and j != o and matrix[o][j]}
    return {"n_words": confusion.get("n_words", 0),
            "top": [{"gold": g, "predicted": p, "words": n} for n, g, p in sorted(cells, key=lambda c: (-c[0], c[1], c[2]))[:top]],
            "missed": missed, "spurious": spurious}


def review_body(*, run_id: str, blessing: dict[str, Any], metrics: dict[str, Any],
                champion_metrics: dict[str, Any] | None, confusion: dict[str, Any] | None,
                run_page_url: str, triggered_by: str | None, forced: bool, reason: str,
                timeout: timedelta) -> str:
    """Markdown for the approval task: challenger vs champion per entity, real vs synthetic, every
    gate rule, the confusion summary and a link to the run's "NER models" page. Numbers, label
    names, ids and the trigger's reason only."""
    champ = champion_metrics or {}
    champ_v = blessing.get("champion_version") or champ.get("version")
    lines = [f"**Run** `{run_id}` asks to become the serving NER model"
             + (f" (now: `{champ_v}`)." if champ_v else " (there is no champion yet).")]
    lines.append(f"Triggered by **{triggered_by or SCHEDULER}**"
                 + (f"; reason: {reason.strip()}" if reason and reason.strip() else "") + ".")
    if forced:
        lines.append("**Forced promotion: the gate did NOT pass.** Blocked by: "
                     + "; ".join(blessing.get("reasons") or ["(no reason recorded)"]))
    else:
        lines.append("The gate **passed**." + (f" Warnings: {'; '.join(blessing['warnings'])}"
                                                if blessing.get("warnings") else ""))
    lines += ["", f"[Everything about this run (validation, metrics, gate, confusion matrix, model card)]({run_page_url})",
              "", "### Challenger vs champion (test split, strict entity level)", ""]
    lines += _entity_table(metrics, champ)
    lines += ["", "### Real vs synthetic test records", ""] + _source_table(metrics, champ)
    lines += ["", "### Gate rules", "", f"Test data: {(blessing.get('test_data') or evaluated_on(metrics))['statement']}.", ""]
    lines += md_rules_table(blessing.get("rules") or [], none="–")
    lines += _confusion_lines(confusion_summary(confusion))
    hours = f"{timeout.total_seconds() / 3600:g}"
    lines += ["", "---", f"**Approve** promotes this model. **Reject** keeps the champion; say why in the comment. "
              f"With no answer in {hours} h the run is recorded as not approved."]
    return "\n".join(lines)


def _entity_table(metrics: dict[str, Any], champ: dict[str, Any]) -> list[str]:
    from .records import LABELS

    per, cper = metrics.get("per_label") or {}, champ.get("per_label") or {}
    labels = [lab for lab in list(LABELS) + [k for k in per if k not in LABELS] if lab in per or lab in cper]
    rows = []
    for lab, m, c in [("micro", metrics.get("micro") or {}, champ.get("micro") or {})] + \
            [(lab, per.get(lab) or {}, cper.get(lab) or {}) for lab in labels]:
        rows.append([lab, m.get("support"), m.get("precision"), m.get("recall"), m.get("f1"),
                     c.get("f1") if champ else None, _delta(m.get("f1"), c.get("f1")) if champ else "–"])
    return _md_table(["entity", "support", "precision", "recall", "F1", "champion F1", "Δ F1"], rows)


def _source_table(metrics: dict[str, Any], champ: dict[str, Any]) -> list[str]:
    by_src, cby_src = metrics.get("by_source") or {}, champ.get("by_source") or {}
    if not by_src:
        return ["No per-source results stored."]
    rows = [[src, d.get("n_records"), (d.get("micro") or {}).get("precision"), (d.get("micro") or {}).get("recall"),
             (d.get("micro") or {}).get("f1"), ((cby_src.get(src) or {}).get("micro") or {}).get("f1") if champ else None]
            for src, d in sorted(by_src.items())]
    out = _md_table(["source", "records", "precision", "recall", "F1", "champion F1"], rows)
    if "real" not in by_src:
        out.append("\nNo real records in the test split: every score above is on synthetic data.")
    return out


def _confusion_lines(cs: dict[str, Any]) -> list[str]:
    lines = ["", f"### Confusion summary ({cs['n_words']} test words, word level)", ""]
    if cs["top"]:
        lines.append("Most confused (gold → predicted): "
                     + ", ".join(f"{c['gold']} → {c['predicted']}: {c['words']}" for c in cs["top"]) + ".")
    else:
        lines.append("No word was given another entity label.")
    if cs["missed"]:
        lines.append("Missed (predicted O): " + ", ".join(f"{k} {v}" for k, v in cs["missed"].items()) + ".")
    if cs["spurious"]:
        lines.append("Invented (gold O): " + ", ".join(f"{k} {v}" for k, v in cs["spurious"].items()) + ".")
    return lines


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
