"""Approval (issue 18): routing, the reviewer's answer, who is recorded, the timeout pitfall, the
review body, the CLI rule, the run page's state, the model card's sign-off, deadline and watcher."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

import pytest

from ner_pipeline import approval, schedule
from ner_pipeline.config import load_settings
from ner_pipeline.modelcard import sign_off

LOCAL = load_settings("local", environ={})
PROD = load_settings("production", environ={})


# -- the setting ----------------------------------------------------------------------------

def test_local_is_auto_production_requires_a_reviewer():
    assert LOCAL.promotion.approval == "auto" and not approval.required(LOCAL)  # make run still ends promoted
    assert PROD.promotion.approval == "required" and approval.required(PROD)
    assert PROD.promotion.approval_timeout_hours == 72
    with pytest.raises(ValueError):
        load_settings("local", overrides=["promotion.approval=maybe"], environ={})


# -- routing --------------------------------------------------------------------------------

@pytest.mark.parametrize("decision, mode, want", [
    ({"promote": False, "passed": False}, "auto", ["record_rejection"]),
    ({"promote": False, "passed": False}, "required", ["record_rejection"]),  # gate failed: nobody is asked
    ({"promote": False, "passed": True, "dry_run": True}, "required", ["record_rejection"]),
    ({"promote": True, "passed": True}, "auto", ["promote"]),
    ({"promote": True, "passed": True}, "required", ["approve_promotion", "promote", "record_rejection"]),
    ({"promote": True, "passed": False, "force_promote": True}, "required",  # forced: approved too
     ["approve_promotion", "promote", "record_rejection"]),
    ({"promote": True, "passed": True, "already_promoted": "v1"}, "required", ["promote"]),
])
def test_route(decision, mode, want):
    assert approval.route(decision, mode) == want


# -- the reviewer's answer and who is recorded ----------------------------------------------

AT = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def test_review_from_event_approve_reject_timeout():
    ok = approval.review_from_event({"chosen_options": ["Approve"], "params_input": {"comment": " fine "},
                                     "responded_at": AT, "responded_by_user": {"id": "u7", "name": "Amina"}})
    assert ok == {"decision": "approved", "by": "Amina", "by_id": "u7", "at": "2026-03-01T09:30:00Z", "comment": "fine"}
    no = approval.review_from_event({"chosen_options": ["Reject"], "params_input": {"comment": "AGE is off"},
                                     "responded_at": AT, "responded_by_user": {"id": "u8", "name": "Baraka"}})
    assert (no["decision"], no["by"], no["comment"]) == ("rejected", "Baraka", "AGE is off")
    # the scheduler's timeout sweep applies the defaults (Reject) with nobody as respondent
    late = approval.review_from_event({"chosen_options": ["Reject"], "params_input": {"comment": ""},
                                       "responded_at": AT, "responded_by_user": None, "timedout": True})
    assert (late["decision"], late["by"], late["comment"]) == ("timeout", None, None)


def test_attribution_per_path():
    # a scheduled run: the scheduler
    assert approval.attribution(None, None) == {"triggered_by": "airflow", "who": "airflow"}
    # a manual run, no review (approval auto): the triggering user
    assert approval.attribution("zawadi", None) == {"triggered_by": "zawadi", "who": "zawadi"}
    # approval: the reviewer decided; the trigger is kept
    review = {"decision": "approved", "by": "Amina", "at": "t", "comment": None}
    assert approval.attribution("zawadi", review) == {"triggered_by": "zawadi", "who": "Amina", "approval": review}
    # rejection: the reviewer, with the comment in `approval`
    rej = {"decision": "rejected", "by": "Baraka", "comment": "AGE is off"}
    assert approval.attribution(None, rej)["who"] == "Baraka"
    # timeout: nobody answered, the scheduler resolved it
    assert approval.attribution("zawadi", {"decision": "timeout", "by": None})["who"] == "airflow"


def test_rejection_of():
    assert approval.rejection_of({"decision": "rejected", "by": "Baraka", "comment": "AGE is off"}) == \
        ("review_rejection", "rejected by Baraka: AGE is off")
    assert approval.rejection_of({"decision": "rejected", "by": "Baraka", "comment": None})[1].endswith("(no comment)")
    kind, why = approval.rejection_of({"decision": "timeout", "by": None}, timedelta(hours=72))
    assert kind == "review_timeout" and "72 h" in why


def test_cli_refusal():
    assert approval.cli_refusal("auto", force=True, review=None) is None
    assert "force_promote" in approval.cli_refusal("required", force=True, review={"decision": "approved"})
    assert "no approval recorded" in approval.cli_refusal("required", force=False, review=None)
    assert "rejected" in approval.cli_refusal("required", force=False, review={"decision": "rejected"})
    assert approval.cli_refusal("required", force=False, review={"decision": "approved", "by": "Amina"}) is None


# -- the timeout pitfall -------------------------------------------------------------------------

def test_timeout_cannot_fire_before_the_task_waits(monkeypatch):
    """The reviewer's time is the HITL task's response_timeout, counted from when it waits for input;
    the task has no execution_timeout (which counts from its start, and in Airflow 3.1's HITL
    operators could kill it before it deferred), even under a DAG-wide one."""
    from airflow.sdk import DAG
    from airflow.sdk.exceptions import TaskAwaitingInput

    import airflow.providers.standard.operators.hitl as hitl
    from ner_pipeline.approval_operator import make_approval_operator

    settings = load_settings("production", overrides=["promotion.approval_timeout_hours=0.5"], environ={})
    with DAG("t", schedule=None, default_args={"execution_timeout": timedelta(seconds=1)}):
        op = make_approval_operator(settings)
    assert op.execution_timeout is None
    assert op.response_timeout == timedelta(minutes=30) and op.defaults == ["Reject"] and op.retries == 0

    written = []
    monkeypatch.setattr(hitl, "upsert_hitl_detail", lambda **kw: written.append(kw))

    class Ti:
        id = "0190f0aa-0000-7000-8000-000000000000"

    slow = []

    def notifier(context):  # a slow notifier: with a 1 s execution_timeout this was the 3.1 failure
        slow.append(context)

    op.notifiers = [notifier]
    with pytest.raises(TaskAwaitingInput) as parked:
        op.execute({"task_instance": Ti()})
    assert parked.value.timeout == timedelta(minutes=30) and slow and written[0]["defaults"] == ["Reject"]


def test_operator_keeps_the_review_and_branches():
    from airflow.sdk import DAG

    from ner_pipeline.approval_operator import make_approval_operator

    with DAG("t2", schedule=None):
        op = make_approval_operator(PROD)
    pushed, branched = {}, []

    class Ti:
        def xcom_push(self, key, value):
            pushed[key] = value

    op.do_branch = lambda context, branches_to_execute: branched.append(branches_to_execute) or branches_to_execute
    op.validate_params_input = lambda params_input: None
    out = op.execute_complete({"ti": Ti()}, {"chosen_options": ["Reject"], "params_input": {"comment": "no"},
                                             "responded_at": AT, "responded_by_user": {"id": "1", "name": "Amina"}})
    assert out == ["record_rejection"] and pushed["review"]["by"] == "Amina" and pushed["review"]["comment"] == "no"


# -- what the reviewer sees -----------------------------------------------------------------

def _metrics(f1, real=True):
    m = {"micro": {"precision": f1, "recall": f1, "f1": f1, "support": 300},
         "per_label": {"NAME": {"precision": f1, "recall": f1, "f1": f1, "support": 120},
                       "AGE": {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 20}},
         "by_source": {"synthetic": {"micro": {"precision": f1, "recall": f1, "f1": f1}, "n_records": 90}}}
    if real:
        m["by_source"]["real"] = {"micro": {"precision": 0.6, "recall": 0.6, "f1": 0.6}, "n_records": 10}
    return m


def test_review_body_shows_the_evidence():
    blessing = {"passed": False, "reasons": ["micro_f1 0.7000 is not > 0.75"], "champion_version": "v1",
                "rules": [{"rule": "micro_f1", "label": None, "value": 0.7, "comparison": ">", "threshold": 0.75,
                           "outcome": "fail", "action": "block"},
                          {"rule": "real_no_regression_label", "label": "NAME", "value": 0.03, "comparison": "<=",
                           "threshold": 0.02, "outcome": "pass", "action": "block", "interval": [-0.01, 0.07],
                           "significant": False}]}
    confusion = {"labels": ["O", "NAME", "VICTIM"], "matrix": [[90, 3, 0], [2, 40, 7], [1, 5, 20]], "n_words": 168}
    body = approval.review_body(run_id="manual__1", blessing=blessing, metrics=_metrics(0.7),
                                champion_metrics=_metrics(0.8), confusion=confusion,
                                run_page_url="/dags/ner_retraining/runs/manual__1/plugin/ner-run",
                                triggered_by="zawadi", forced=True, reason="hotfix", timeout=timedelta(hours=72))
    assert "Forced promotion" in body and "micro_f1 0.7000 is not > 0.75" in body and "zawadi" in body
    assert "| NAME | 120 | 0.7000 | 0.7000 | 0.7000 | 0.8000 | -0.1000 |" in body
    assert "| real | 10 |" in body and "| synthetic | 90 |" in body
    assert "| micro_f1 |  | 0.7000 | > 0.7500 | fail | block | - |" in body
    assert "| real_no_regression_label | NAME | 0.0300 | <= 0.0200 | pass | block | [-0.0100, 0.0700] |" in body
    assert "Test data: evaluated on 10 real and 90 synthetic records; the real records decide" in body
    assert "NAME → VICTIM: 7" in body and "VICTIM → NAME: 5" in body and "Missed (predicted O): NAME 2, VICTIM 1" in body
    assert "(/dags/ner_retraining/runs/manual__1/plugin/ner-run)" in body and "72 h" in body
    synthetic_only = approval.review_body(run_id="r", blessing={"passed": True, "rules": []}, metrics=_metrics(0.9, False),
                                          champion_metrics=None, confusion=None, run_page_url="u", triggered_by=None,
                                          forced=False, reason="", timeout=timedelta(hours=1))
    assert "no champion yet" in synthetic_only and "every score above is on synthetic data" in synthetic_only
    assert "Test data: evaluated on synthetic data only." in synthetic_only
    assert "Triggered by **airflow**" in synthetic_only


def test_links():
    assert approval.run_page_url("http://af:8080/", "ner_retraining", "manual__2026-01-01T00:00:00+00:00") == \
        "http://af:8080/dags/ner_retraining/runs/manual__2026-01-01T00%3A00%3A00%2B00%3A00/plugin/ner-run"
    assert approval.required_actions_url("", "ner_retraining", "r 1") == \
        "/dags/ner_retraining/runs/r%201/tasks/approve_promotion/required_actions"


def test_status_pending_overdue_decided():
    req = {"run_id": "r", "dag_id": "ner_retraining", "requested_at": "2026-03-01T00:00:00Z",
           "expires_at": "2026-03-04T00:00:00Z"}
    assert approval.status(None, []) is None
    assert approval.status(req, [], now=AT)["state"] == "pending"
    assert approval.status(req, [], now=AT + timedelta(days=5))["state"] == "overdue"
    done = approval.status(req, [{"kind": "review_rejection", "approval": {"decision": "rejected", "by": "B"}}])
    assert done["state"] == "rejected" and done["review"]["by"] == "B"


def test_model_card_sign_off():
    assert sign_off({"passed": True, "approval_mode": "auto"}) == [
        "Triggered by: airflow (schedule)", "Review: none (promotion.approval: auto; the gate decided)"]
    lines = sign_off({"passed": False, "force_promote": True, "triggered_by": "zawadi", "trigger_reason": "hotfix",
                      "approval": {"decision": "approved", "by": "Amina", "at": "t", "comment": "ok"}})
    assert lines == ["Triggered by: zawadi (hotfix)", "Forced promotion by zawadi: hotfix",
                     "Review: approved by Amina at t: ok"]


# -- deadline and new-data schedule ---------------------------------------------------------

def test_deadline_alert_is_configurable():
    from airflow.sdk import DeadlineReference

    assert schedule.deadline_alert(LOCAL) is None  # make run (airflow dags test) cannot run one: README
    alert = schedule.deadline_alert(PROD)
    assert alert.interval == timedelta(minutes=360)
    assert isinstance(alert.reference, type(DeadlineReference.DAGRUN_QUEUED_AT))
    assert alert.callback.path == "ner_pipeline.schedule.log_missed_deadline"
    custom = load_settings("local", overrides=["schedule.deadline.enabled=true", "schedule.deadline.minutes=90",
                                               "schedule.deadline.callback_kwargs={text: late}"], environ={})
    assert schedule.deadline_alert(custom).interval == timedelta(minutes=90)
    assert schedule.deadline_alert(custom).callback.kwargs == {"text": "late"}


def test_missed_deadline_callback_logs(caplog):
    with caplog.at_level(logging.WARNING, logger="ner_pipeline.schedule"):
        asyncio.run(schedule.log_missed_deadline(context={"dag_run": {"run_id": "scheduled__x"},
                                                          "deadline": {"deadline_time": "08:00"}}))
    assert "scheduled__x" in caplog.text and "08:00" in caplog.text


def test_watcher_wiring():
    from airflow.sdk import AssetOrTimeSchedule

    assert schedule.incoming_assets(LOCAL) == []
    on = load_settings("local", overrides=["schedule.on_new_data=true"], environ={})
    assert len(schedule.incoming_assets(on)) == 2 and isinstance(schedule.timetable(on), AssetOrTimeSchedule)
    w = load_settings("local", environ={}, overrides=[
        "schedule.watcher.enabled=true", "schedule.watcher.queue=https://sqs.eu-west-1.amazonaws.com/1/ner-incoming",
        "schedule.watcher.trigger=watcher_stub.StubQueueTrigger", "schedule.watcher.trigger_kwargs={waiter_delay: 30}"])
    (asset,) = schedule.incoming_assets(w)
    assert asset.name == "ner_incoming" and asset.uri == "s3://ner-helpline/incoming"
    (watcher,) = asset.watchers
    assert watcher.name == "ner_incoming_events"
    assert watcher.trigger.kwargs == {"scheme": "sqs", "queue": "https://sqs.eu-west-1.amazonaws.com/1/ner-incoming",
                                      "waiter_delay": 30}
    with pytest.raises(ValueError, match="queue"):
        schedule.incoming_assets(load_settings("local", overrides=["schedule.watcher.enabled=true"], environ={}))
