"""Every threshold, window, weight and point of docs spec/scoring.md, as one flat settings object.

A Django model mirrors this dataclass field by field (one column per field), so field names are
a stable contract and every type is a plain ``int``, ``float`` or ``str``.

Windows are "N days ending on T inclusive": a window of N days covers T-(N-1) .. T, exactly as
the spec's utilization window "the 30 days T-29 .. T".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from codes.accounts import SPONSOR_ROLES, StakeholderRole
from codes.triggers import ALERT_LEVELS, Trigger


@dataclass(frozen=True)
class ScoringConfig:
    # --- windows (days, each ending on T inclusive) -------------------------------------------
    usage_window_days: int = 30  # utilization and "last" trend window: T-29 .. T
    trend_prior_days: int = 30  # the window before the usage window: T-59 .. T-30
    nps_window_days: int = 180  # latest NPS for sentiment and promoter_nps: T-179 .. T
    support_window_days: int = 90  # support tickets: T-89 .. T
    signal_window_days: int = 90  # trigger signals (referral, compliance, feature, reference)
    new_users_window_days: int = 30  # new_users signals for seat_growth: T-29 .. T
    renewal_window_days: int = 90  # renewal_d90: 0 <= end_date - T <= 90
    onboarding_days: int = 90  # onboarding while T - customer_since < 90

    # --- utilization alert levels (percent; a value exactly on a level reaches it) ---------------
    # the spec's 80, 90 and 95 (``codes.triggers.ALERT_SLOTS``: each slot's trigger code)
    alert_level_1: int = ALERT_LEVELS[0]
    alert_level_2: int = ALERT_LEVELS[1]
    alert_level_3: int = ALERT_LEVELS[2]

    # --- health weights (weighted mean, divided by the sum of the weights) ---------------------
    weight_adoption: float = 35.0
    weight_trend: float = 15.0
    weight_sentiment: float = 20.0
    weight_support: float = 15.0
    weight_relationship: float = 15.0

    # --- health components ----------------------------------------------------------------------
    adoption_no_entitlement: float = 50.0
    trend_base: float = 50.0  # trend = base + slope x (last/prior - 1), clamped to 0..100
    trend_slope: float = 50.0
    trend_no_prior: float = 50.0  # a month entitlement without prior usage scores this
    sentiment_nps_multiplier: float = 10.0
    sentiment_no_nps: float = 50.0
    support_base: float = 100.0
    support_ticket_penalty: float = 20.0
    relationship_champion: float = 50.0
    relationship_sponsor: float = 50.0

    # --- guardrails -----------------------------------------------------------------------------
    health_threshold: float = 70.0  # unhealthy when health <= this
    adoption_threshold: float = 50.0  # underutilized when adoption < this
    detractor_nps: float = 6.0  # detractor when the latest NPS in the NPS window <= this
    incident_severity: int = 1  # incident: a support ticket of this severity or more severe
    incident_window_days: int = 30  # ... in the days T-29 .. T

    # --- triggers -------------------------------------------------------------------------------
    seat_metric: str = "seats"
    seat_growth_level: float = 80.0  # percent of the seat limit in use
    seat_new_users_share: float = 0.10  # new users in the window >= this share of the seat limit
    compliance_department: str = "Compliance"
    promoter_nps: float = 9.0
    lookalike_min_share: float = 0.30
    lookalike_min_peers: int = 5
    tier_left_days: int = 730  # a tier left (a line ended in T-729 .. T) is not proposed again
    ownership_days: int = 90  # adjacent cross-sell: A owned on every day of T-89 .. T
    outcome_min_share: float = 0.5  # outcome_achieved: no metric below this share of its target

    # --- focus (section 4b) ------------------------------------------------------------------
    lost_cooldown_days: int = 180  # a product lost (closed) in T-179 .. T is held back

    # --- stakeholder roles (comma-separated role codes) ------------------------------------------
    sponsor_roles: str = ",".join(SPONSOR_ROLES)  # executive_sponsor,economic_buyer
    champion_role: str = StakeholderRole.CHAMPION

    # --- trigger points -------------------------------------------------------------------------
    points_utilization_80: float = 20.0  # reached alert_level_1
    points_utilization_90: float = 30.0  # reached alert_level_2
    points_utilization_95: float = 40.0  # reached alert_level_3
    points_seat_growth: float = 15.0
    points_renewal_d90: float = 15.0
    points_internal_referral: float = 25.0
    points_compliance_change: float = 25.0
    points_feature_request: float = 15.0
    points_adjacent_workflow: float = 10.0
    points_lookalike: float = 15.0  # multiplied by the share of peers that own the target
    points_promoter_nps: float = 10.0
    points_outcome_achieved: float = 15.0
    points_reference: float = 5.0

    # --- readiness score ------------------------------------------------------------------------
    needs_sponsor_factor: float = 0.5

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any] | None) -> ScoringConfig:
        """Build from a mapping: unknown keys are ignored, missing keys take the default.

        Values are coerced to the field's declared type (``"80"`` -> ``80``), so a row read
        from a database or a form works as well as a literal dict.
        """
        values = dict(values or {})
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in values or values[f.name] is None:
                continue
            raw = values[f.name]
            kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "str")
            if kind == "int":
                kwargs[f.name] = int(float(raw)) if isinstance(raw, str) else int(raw)
            elif kind == "float":
                kwargs[f.name] = float(raw)
            else:
                kwargs[f.name] = str(raw)
        return cls(**kwargs)

    # --- helpers used by the engine (not settings) ---------------------------------------------
    def sponsor_role_list(self) -> list[str]:
        return [r.strip() for r in self.sponsor_roles.split(",") if r.strip()]

    def alert_slots(self) -> list[tuple[str, float, float]]:
        """(trigger code, level percent, points) per alert slot, lowest level first.

        Trigger codes are fixed per slot (``utilization_80`` for the first level, ...), the
        spec's public codes, whatever percent an admin sets for the slot.
        """
        slots = [
            (Trigger.UTILIZATION_80, float(self.alert_level_1), float(self.points_utilization_80)),
            (Trigger.UTILIZATION_90, float(self.alert_level_2), float(self.points_utilization_90)),
            (Trigger.UTILIZATION_95, float(self.alert_level_3), float(self.points_utilization_95)),
        ]
        return sorted(slots, key=lambda s: (s[1], s[0]))
