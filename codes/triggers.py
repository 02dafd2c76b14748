"""Trigger codes (scoring.md section 4) and the utilization alert levels."""

from __future__ import annotations

from .vocabulary import Vocabulary


class Trigger(Vocabulary):
    """In the order the triggers are listed inside an opportunity."""

    UTILIZATION_95 = "utilization_95", "Utilization past 95 %"
    UTILIZATION_90 = "utilization_90", "Utilization past 90 %"
    UTILIZATION_80 = "utilization_80", "Utilization past 80 %"
    SEAT_GROWTH = "seat_growth", "Seat growth"
    RENEWAL_D90 = "renewal_d90", "Renewal within 90 days"
    INTERNAL_REFERRAL = "internal_referral", "Internal referral"
    COMPLIANCE_CHANGE = "compliance_change", "New compliance mandate"
    FEATURE_REQUEST = "feature_request", "Feature request"
    ADJACENT_WORKFLOW = "adjacent_workflow", "Adjacent workflow"
    LOOKALIKE = "lookalike", "Similar accounts own it"
    PROMOTER_NPS = "promoter_nps", "Promoter (NPS 9+)"
    OUTCOME_ACHIEVED = "outcome_achieved", "Outcome achieved"
    REFERENCE = "reference", "Reference customer"


#: The utilization triggers, one per alert slot (lowest first), with the spec's level in
#: percent: the scoring settings' defaults (``alert_level_1`` ..). An admin may move a level;
#: the slot's code stays.
ALERT_SLOTS = {
    Trigger.UTILIZATION_80: 80,
    Trigger.UTILIZATION_90: 90,
    Trigger.UTILIZATION_95: 95,
}
LEVEL_TRIGGERS = tuple(ALERT_SLOTS)
ALERT_LEVELS = tuple(ALERT_SLOTS.values())
