"""The installed base's codes: segments, product kinds, entitlement periods, stakeholder
roles (book-format.md)."""

from __future__ import annotations

from .vocabulary import Vocabulary


class Segment(Vocabulary):
    ENTERPRISE = "enterprise", "Enterprise"
    MID_MARKET = "mid_market", "Mid-market"
    SMB = "smb", "SMB"


class ProductKind(Vocabulary):
    TIER = "tier", "Tier"
    MODULE = "module", "Module"
    ADD_ON = "add_on", "Add-on"


class EntitlementPeriod(Vocabulary):
    MONTH = "month", "Month (flow over 30 days)"
    INSTANT = "instant", "Instant (level)"


class StakeholderRole(Vocabulary):
    CHAMPION = "champion", "Champion"
    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    ECONOMIC_BUYER = "economic_buyer", "Economic buyer"
    DECISION_MAKER = "decision_maker", "Decision maker"
    INFLUENCER = "influencer", "Influencer"
    USER = "user", "User"
    BLOCKER = "blocker", "Blocker"


#: The roles that sponsor a play, in order of preference (the scoring settings' default).
SPONSOR_ROLES = (StakeholderRole.EXECUTIVE_SPONSOR, StakeholderRole.ECONOMIC_BUYER)
