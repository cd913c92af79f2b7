"""The labels of dual-registration's own enums (`yizhou.labels`; `GET /api/v1/labels`): registered at
import, by `app.py`. The Chinese is in the platform's catalog (`shared/yizhou/locale`)."""

from __future__ import annotations

from dual_registration.domain.claim import ClaimState, PostKind, TargetKind
from dual_registration.domain.evaluation import EvaluationState, EvaluatorKind
from dual_registration.domain.ledger import AccountKind, Side
from dual_registration.domain.pledges import PledgeRating, PledgerKind, PledgeState
from dual_registration.domain.registration import RegistrantKind, RegistrationState
from dual_registration.domain.service_log import ConfirmerKind, ReviewFlag, ServiceState
from dual_registration.settings import Settings
from yizhou.labels import english_labels, register_labels

register_labels(Settings.service_name, {
    "registrant_kind": RegistrantKind,
    "registration_state": RegistrationState,
    "claim_state": ClaimState,
    "claim_target_kind": TargetKind,
    "post_kind": english_labels(PostKind, {"households": "Households to look after",
                                           "no_office": "Post for members without office"}),
    "service_state": ServiceState,
    "service_confirmer_kind": ConfirmerKind,
    "service_review_flag": english_labels(ReviewFlag, {"repeated-pair": "One resident keeps confirming one provider",
                                                       "many-providers": "One resident confirms for many providers"}),
    "evaluation_state": EvaluationState,
    "evaluator_kind": EvaluatorKind,
    "ledger_side": Side,
    "ledger_account_kind": AccountKind,
    "pledger_kind": PledgerKind,
    "pledge_state": PledgeState,
    "pledge_rating": PledgeRating,
})
