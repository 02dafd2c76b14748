"""An expansion opportunity's codes: motions, plays (scoring.md section 4), stages,
statuses, and the reasons a candidate is held back (section 4b)."""

from __future__ import annotations

from .vocabulary import Vocabulary


class Motion(Vocabulary):
    UPSELL = "upsell", "Upsell"
    CROSS_SELL = "cross_sell", "Cross-sell"
    SEAT_EXPANSION = "seat_expansion", "Seat expansion"
    USAGE_EXPANSION = "usage_expansion", "Usage expansion"
    RENEWAL = "renewal", "Renewal"
    PRICE_INCREASE = "price_increase", "Price increase"


#: The conversation an expansion motion belongs to: an upsell (through the existing budget
#: owner) or a cross-sell (to a new buyer), never bundled (section 4b). The other motions
#: (renewal, price increase) expand nothing.
MOTION_KIND = {
    Motion.UPSELL: Motion.UPSELL,
    Motion.SEAT_EXPANSION: Motion.UPSELL,
    Motion.USAGE_EXPANSION: Motion.UPSELL,
    Motion.CROSS_SELL: Motion.CROSS_SELL,
}
#: The workflow's checklists: one per conversation, and the renewal's for the other motions.
MOTION_KINDS = (Motion.UPSELL, Motion.CROSS_SELL, Motion.RENEWAL)


class Play(Vocabulary):
    TIER_UPGRADE = "tier_upgrade", "Tier upgrade"
    USAGE_EXPANSION = "usage_expansion", "Usage expansion"
    SEAT_EXPANSION = "seat_expansion", "Seat expansion"
    VALUE_REVIEW = "value_review", "Value review"
    AUTOMATION_AUDIT = "automation_audit", "Automation audit"
    COMPLIANCE_MODULE = "compliance_module", "Compliance module"
    FEATURE_UPSELL = "feature_upsell", "Feature upsell"
    ADJACENT_CROSS_SELL = "adjacent_cross_sell", "Adjacent cross-sell"
    RENEWAL_MODULE = "renewal_module", "Renewal module"


#: The motion of each play.
PLAY_MOTION = {
    Play.TIER_UPGRADE: Motion.UPSELL,
    Play.USAGE_EXPANSION: Motion.USAGE_EXPANSION,
    Play.SEAT_EXPANSION: Motion.SEAT_EXPANSION,
    Play.VALUE_REVIEW: Motion.RENEWAL,
    Play.AUTOMATION_AUDIT: Motion.CROSS_SELL,
    Play.COMPLIANCE_MODULE: Motion.UPSELL,
    Play.FEATURE_UPSELL: Motion.UPSELL,
    Play.ADJACENT_CROSS_SELL: Motion.CROSS_SELL,
    Play.RENEWAL_MODULE: Motion.CROSS_SELL,
}


class Stage(Vocabulary):
    IDENTIFIED = "identified", "Identified"
    QUALIFIED = "qualified", "Qualified"
    PROPOSAL = "proposal", "Proposal"
    NEGOTIATION = "negotiation", "Negotiation"
    WON = "won", "Won"
    LOST = "lost", "Lost"
    EXPIRED = "expired", "Expired"


#: A deal at these stages is in progress: it holds back the rest of its kind (section 4b).
IN_PROGRESS_STAGES = (Stage.QUALIFIED, Stage.PROPOSAL, Stage.NEGOTIATION)
OPEN_STAGES = (Stage.IDENTIFIED, *IN_PROGRESS_STAGES)
CLOSED_STAGES = (Stage.WON, Stage.LOST, Stage.EXPIRED)


class OpportunityStatus(Vocabulary):
    READY = "ready", "Ready"
    NEEDS_SPONSOR = "needs_sponsor", "Needs sponsor"


class HeldBackReason(Vocabulary):
    """Why a candidate waits (section 4b)."""

    RECENTLY_LOST = "recently_lost", "Lost recently: not proposed again yet"
    DEAL_IN_PROGRESS = "deal_in_progress", "Waits for the deal of its kind in progress"
    ONE_AT_A_TIME = "one_at_a_time", "One conversation of each kind at a time"
