"""When the DAG runs and when it raises an alarm: the cron timetable, optionally the incoming
data as Assets (with an AssetWatcher where the store emits events), and a DeadlineAlert.

Called at parse time by dags/ner_retraining.py: settings only, no DB, network or heavy import
(the watcher's trigger class is imported only when `schedule.watcher.enabled`).

- `schedule.on_new_data`: the DAG also runs on Asset events for `incoming/synthetic/` and
  `incoming/real/` (someone or something must emit them: the REST API, another DAG, a watcher).
- `schedule.watcher.enabled`: one Asset for `incoming/` whose AssetWatcher runs a trigger in the
  triggerer that reads the store's object-created events from a queue: S3 event notifications
  to SQS, read by the common-messaging provider's MessageQueueTrigger (`apache-airflow-providers-
  common-messaging` + `apache-airflow-providers-amazon`, not installed in the local venv).
- `schedule.deadline`: a DeadlineAlert, `minutes` after a run was queued; its callback runs in
  the triggerer when a run has not finished by then.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from .layout import INCOMING

log = logging.getLogger(__name__)

WATCHER_NAME = "ner_incoming_events"
INCOMING_ASSET = "ner_incoming"


def incoming_assets(settings: Any) -> list[Any]:
    """The Assets a new-data run listens to (empty: cron only)."""
    from airflow.sdk import Asset

    w = settings.schedule.watcher
    if w.enabled:
        from airflow.sdk import AssetWatcher
        from airflow.sdk.module_loading import import_string

        if not w.queue:
            raise ValueError("schedule.watcher.enabled needs schedule.watcher.queue (the queue the store's "
                             "object-created events go to)")
        trigger_cls = import_string(w.trigger)
        trigger = trigger_cls(scheme="sqs", queue=w.queue, **w.trigger_kwargs)
        return [Asset(name=INCOMING_ASSET, uri=settings.uri(INCOMING) + "/",
                      watchers=[AssetWatcher(name=WATCHER_NAME, trigger=trigger)])]
    if settings.schedule.on_new_data:
        return [Asset(settings.uri(settings.sources.synthetic_prefix)), Asset(settings.uri(settings.sources.real_prefix))]
    return []


def timetable(settings: Any) -> Any:
    """Cron (nightly, UTC), or cron OR any incoming Asset event."""
    from airflow.sdk import AssetAny, AssetOrTimeSchedule, CronTriggerTimetable

    cron = CronTriggerTimetable(settings.schedule.cron, timezone="UTC")
    assets = incoming_assets(settings)
    if not assets:
        return cron
    return AssetOrTimeSchedule(timetable=cron, assets=AssetAny(*assets))


def deadline_alert(settings: Any) -> Any:
    """The run's DeadlineAlert, or None when `schedule.deadline.enabled` is false."""
    d = settings.schedule.deadline
    if not d.enabled:
        return None
    from airflow.sdk import AsyncCallback, DeadlineAlert, DeadlineReference

    return DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=timedelta(minutes=d.minutes),
                         callback=AsyncCallback(d.callback, kwargs=dict(d.callback_kwargs) or None),
                         name="ner_retraining_not_finished")


async def log_missed_deadline(context: Any = None, **kwargs: Any) -> None:
    """The local deadline callback: a warning in the triggerer's log (run id and deadline only)."""
    ctx = context or {}
    dag_run = ctx.get("dag_run") or {}
    get = dag_run.get if isinstance(dag_run, dict) else (lambda k, d=None: getattr(dag_run, k, d))
    deadline = ctx.get("deadline") or {}
    when = deadline.get("deadline_time") if isinstance(deadline, dict) else getattr(deadline, "deadline_time", None)
    log.warning("ner_retraining run %s has not finished by its deadline %s", get("run_id", "?"), when or "?")
