"""The labels of demand-intake's own enums (`yizhou.labels`; `GET /api/v1/labels`): registered at import,
by `app.py`. The Chinese is in the platform's catalog (`shared/yizhou/locale`); states, channels and
urgencies of demands are the shared ones of the event contract."""

from __future__ import annotations

from demand_intake.domain.callbacks import CallbackSource
from demand_intake.domain.deadlines import DeadlineKind
from demand_intake.domain.escalation import ReceiverKind
from demand_intake.domain.meeting import DecisionKind, MeetingState
from demand_intake.domain.work_orders import AppealDecision, ReturnDecision, WorkOrderState
from demand_intake.settings import Settings
from yizhou.labels import english_labels, register_labels

register_labels(Settings.service_name, {
    "callback_source": english_labels(CallbackSource, {"resident": "The resident's own account",
                                                       "callback_by_staff": "Staff callback",
                                                       "staff_entry": "Entered by staff"}),
    "deadline_kind": english_labels(DeadlineKind, {"respond": "Response", "resolve": "Resolution",
                                                   "report_in": "Report in"}),
    "meeting_state": MeetingState,
    "meeting_decision_kind": english_labels(DecisionKind, {"resolve_demand": "Resolve the demand",
                                                           "request_project": "Request a project"}),
    "receiver_kind": ReceiverKind,
    "work_order_state": english_labels(WorkOrderState, {"received": "Received", "returned": "Returned",
                                                        "reassigned": "Reassigned", "appealed": "Appealed",
                                                        "reduced": "Verified reduction", "upheld": "Upheld"}),
    "work_order_return_decision": english_labels(ReturnDecision, {"reassign": "Reassign", "refuse": "Refuse the return"}),
    "work_order_appeal_decision": english_labels(AppealDecision, {"reduce": "Reduce", "uphold": "Uphold"}),
})
