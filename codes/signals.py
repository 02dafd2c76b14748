"""What can happen at a customer: the signal kinds (book-format.md)."""

from __future__ import annotations

from .vocabulary import Vocabulary


class SignalKind(Vocabulary):
    INTERNAL_REFERRAL = "internal_referral", "Internal referral"
    COMPLIANCE_CHANGE = "compliance_change", "Compliance change"
    FEATURE_REQUEST = "feature_request", "Feature request"
    NPS = "nps", "NPS"
    SUPPORT_TICKET = "support_ticket", "Support ticket"
    NEW_USERS = "new_users", "New users"
    MILESTONE = "milestone", "Milestone"
    NEW_INITIATIVE = "new_initiative", "New initiative"
    HIRING = "hiring", "Hiring"
    FUNDING = "funding", "Funding"
    REFERENCE = "reference", "Reference"


#: Kinds whose ``value`` is required (book-format.md).
SIGNAL_KINDS_WITH_VALUE = (SignalKind.NPS, SignalKind.SUPPORT_TICKET, SignalKind.NEW_USERS)
