"""An account's health (scoring.md section 2), the guardrails that block expansion
(section 3) and the actions that take the place of a play."""

from __future__ import annotations

from .vocabulary import Vocabulary


class HealthComponent(Vocabulary):
    """In the spec's order (a tie on the weakest component goes to the first)."""

    ADOPTION = "adoption", "Adoption"
    TREND = "trend", "Usage trend"
    SENTIMENT = "sentiment", "Sentiment"
    SUPPORT = "support", "Support"
    RELATIONSHIP = "relationship", "Relationship"


class GuardrailReason(Vocabulary):
    """Why an account is not eligible for expansion, in the spec's order."""

    UNHEALTHY = "unhealthy", "Unhealthy"
    UNDERUTILIZED = "underutilized", "Underutilized"
    ONBOARDING = "onboarding", "Onboarding"
    DETRACTOR = "detractor", "Detractor"
    INCIDENT = "incident", "Severity-1 incident"


class AccountActionCode(Vocabulary):
    HEALTH_RECOVERY = "health_recovery", "Health recovery"
    ADOPTION_INTERVENTION = "adoption_intervention", "Adoption intervention"
    DEVELOP_SPONSOR = "develop_sponsor", "Develop sponsor"
