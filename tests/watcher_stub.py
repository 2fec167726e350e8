"""A stand-in for the common-messaging provider's MessageQueueTrigger (not installed here): an
event trigger with the same call (`scheme`, `queue`, extra kwargs) that never fires. Used to test
the AssetWatcher wiring and the DAG's schedule; reading a real SQS queue is not tested here."""

from __future__ import annotations

from airflow.triggers.base import BaseEventTrigger


class StubQueueTrigger(BaseEventTrigger):
    def __init__(self, **kwargs):
        super().__init__()
        self.kwargs = kwargs

    def serialize(self):
        return f"{type(self).__module__}.{type(self).__qualname__}", dict(self.kwargs)

    async def run(self):  # pragma: no cover - never runs here: no triggerer, no queue
        if False:
            yield None
