"""The approval task: Airflow's HITLBranchOperator (standard provider), Approve -> promote,
Reject or timeout -> record_rejection, with the answer kept as XCom `review` for those tasks.

Imported by the DAG file only when `promotion.approval` is `required`; the decisions (routing,
timeouts, what the answer means) are in approval.py.
"""

from __future__ import annotations

from typing import Any

from airflow.providers.standard.operators.hitl import HITLBranchOperator
from airflow.sdk import Param

from . import approval


class PromotionApprovalOperator(HITLBranchOperator):
    """Ask a reviewer; branch on the answer; keep who answered what (approval.review_from_event)."""

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        if "error" not in event:  # an error event (timeout without defaults) fails the task in super()
            review = approval.review_from_event(event)
            context["ti"].xcom_push(key="review", value=review)
            self.log.info("review: %s by %s", review["decision"], review["by"] or "nobody (timeout)")
        return super().execute_complete(context=context, event=event)


def make_approval_operator(settings: Any, **kwargs: Any) -> PromotionApprovalOperator:
    """The `approve_promotion` task; subject and body come from the gate's XCom `approval`."""
    return PromotionApprovalOperator(
        **approval.operator_kwargs(settings),
        subject="{{ ti.xcom_pull(task_ids='gate', key='approval')['subject'] }}",
        body="{{ ti.xcom_pull(task_ids='gate', key='approval')['body'] }}",
        options=[approval.APPROVE, approval.REJECT],
        multiple=False,
        params={"comment": Param("", type="string", maxLength=2000, title="Comment",
                                 description="Why: required when you reject; recorded with your name.")},
        task_display_name="Approve promotion",
        doc_md="A reviewer approves (promote) or rejects (record_rejection) the model the gate passed, "
               "forced promotions included. No answer within promotion.approval_timeout_hours is a rejection.",
        **kwargs,
    )
