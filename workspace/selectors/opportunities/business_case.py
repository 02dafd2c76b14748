"""The business case panel: outcome anchor, next-step framing, outcome-linked ask."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.db.models import Max

from accounts.models import ContractLine
from playbooks.labels import (
    MOTION_LABELS,
    PLAY_LABELS,
    label,
    motion_kind,
)
from playbooks.models import Opportunity
from scoring.models import UtilizationSnapshot
from signals.models import SuccessMetric

from .common import (
    short_number,
)

# --- One opportunity: the business case -----------------------------------------------


def _anchor(metrics: list[SuccessMetric]) -> dict:
    """The outcome anchor: the metric furthest past its target (else the closest to it), in
    the customer's own units; what to collect when there is none."""
    if not metrics:
        return {
            "metric": None,
            "missing": "No success metric on record: collect the customer's own measure of "
            "success (its name, unit, baseline, target and what they have achieved) before "
            "the conversation.",
        }

    def ratio(m: SuccessMetric) -> float:
        return float(m.achieved) / float(m.target) if m.target else 0.0

    best = max(metrics, key=lambda m: (ratio(m), m.as_of, m.name))
    short = [m for m in metrics if m is not best and ratio(m) < 1]
    return {
        "metric": best,
        "reached": ratio(best) >= 1,
        "ratio": ratio(best),
        "short": short,
        "missing": "",
    }


def renewing_lines(*, lines: list[ContractLine], as_of: dt.date | None) -> list[ContractLine]:
    """The lines that end within 0..90 days of the scoring date: what a value review renews."""
    if as_of is None:
        return []
    until = as_of + dt.timedelta(days=90)
    return [line for line in lines if as_of <= line.end_date <= until]


def _proposed_arr(
    *, opportunity: Opportunity, lines: list[ContractLine], utilization: list[dict]
) -> dict:
    """The outcome-linked ask: the amount recorded on the deal when there is one (the sizing
    below stays as its basis), else the sizing."""
    ask = _sized_arr(opportunity=opportunity, lines=lines, utilization=utilization)
    amount = opportunity.amount_arr
    if amount is None or ask["kind"] == "renewal":
        return ask
    replaced = (ask["proposed"] - ask["increase"]) if ask["proposed"] is not None else Decimal(0)
    sized = f" Sized from the catalogue: {ask['proposed']:,.0f}." if ask["proposed"] else ""
    return {
        **ask,
        "kind": ask["kind"] if ask["kind"] != "none" else "new",
        "proposed": amount,
        "increase": amount - replaced,
        "basis": f"The amount recorded on the deal.{sized} {ask['basis']}".strip(),
        "missing": "",
    }


def _sized_arr(
    *, opportunity: Opportunity, lines: list[ContractLine], utilization: list[dict]
) -> dict:
    """The outcome-linked ask: the target product's list price and the account's quantities.

    - a new product (cross-sell, module, tier upgrade): its list ARR; a tier upgrade replaces
      the current tier's line, so the increase is the difference;
    - more of the same (usage or seat expansion): the product's list ARR per unit of the
      current limit, for the units that bring the most used entitlement back to 80 % of its
      new limit;
    - a value review: the renewing line at its current ARR, nothing added.
    """
    o = opportunity
    product = o.target_product
    if motion_kind(o.motion) == "renewal":
        renewing = renewing_lines(lines=lines, as_of=o.as_of)
        arr = sum((line.arr for line in renewing), Decimal(0))
        names = ", ".join(sorted({line.product.name for line in renewing}))
        return {
            "kind": "renewal",
            "proposed": arr if renewing else None,
            "increase": Decimal(0) if renewing else None,
            "basis": f"Renewal of {names} at the current ARR: no expansion is attached to a "
            "value review."
            if renewing
            else "",
            "missing": ""
            if renewing
            else "No line renews within 90 days of the scoring date: "
            "check the contract before the review.",
        }
    if product is None:
        return {
            "kind": "none",
            "proposed": None,
            "increase": None,
            "basis": "",
            "missing": "No target product: agree the product with the department first.",
        }
    if product.list_arr is None:
        return {
            "kind": "none",
            "proposed": None,
            "increase": None,
            "basis": "",
            "missing": f"No list price for {product.name} ({product.sku}) in the catalogue: "
            "get it from pricing.",
        }
    same = [line for line in lines if line.product_id == product.pk]
    # A deal imported from the CRM has no play: its motion says what it is, and an upsell of a
    # product the account already owns is more of it, never a second licence.
    play = o.play or (o.motion if o.motion in ("usage_expansion", "seat_expansion") else "")
    if not play and motion_kind(o.motion) == "upsell" and same:
        play = "usage_expansion"
    if play in ("usage_expansion", "seat_expansion") and same:
        rows = [u for u in utilization if u["product_id"] == product.pk]
        if play == "seat_expansion":
            rows = [u for u in rows if u["metric"] == "seats"] or rows
        top = max(rows, key=lambda u: u["ratio"], default=None)
        if top is None or not top["limit"]:
            return {
                "kind": "capacity",
                "proposed": None,
                "increase": None,
                "basis": "",
                "missing": "No usage measured against the limit: collect the usage before "
                "sizing the extra capacity.",
            }
        limit = float(top["limit"])
        needed = math.ceil(float(top["used"]) / 0.8)
        extra_units = max(needed - limit, 0)
        per_unit = float(product.list_arr) / limit
        increase = Decimal(round(per_unit * extra_units, 2)).quantize(Decimal("0.01"))
        return {
            "kind": "capacity",
            "proposed": increase,
            "increase": increase,
            "basis": f"{top['metric']}: {short_number(float(top['used']))} used of "
            f"{short_number(limit)}; "
            f"{short_number(extra_units)} more to be back at 80 % of the limit, at "
            f"{product.list_arr:,.0f} list per {short_number(limit)}.",
            "missing": "",
        }
    replaced = Decimal(0)
    basis = f"{product.name} at its list price."
    family = [
        line
        for line in lines
        if line.product.family == product.family and line.product_id != product.pk
    ]
    if play == "tier_upgrade" or (not play and motion_kind(o.motion) == "upsell"):
        replaced = sum((line.arr for line in family), Decimal(0))
        if family:
            names = ", ".join(sorted({line.product.name for line in family}))
            basis = f"{product.name} at its list price, replacing {names}."
    return {
        "kind": "new",
        "upgrade": bool(family) and replaced > 0,
        "proposed": product.list_arr,
        "increase": product.list_arr - replaced,
        "basis": basis,
        "missing": "",
    }


def customer_sentence(
    *,
    opportunity: Opportunity,
    codes: list[str],
    lines: list[ContractLine],
    renewing: list[ContractLine],
    utilization: list[dict],
) -> str:
    """Why now, for the customer (the printed case): product names, not SKUs; no NPS, no
    sponsor, no internal read; dates as the page writes them (``30 Jun 2026``)."""
    o = opportunity
    names = {line.product_id: line.product.name for line in lines}
    target = o.target_product.name if o.target_product else ""
    parts: list[str] = []
    if any(c.startswith("utilization_") for c in codes):
        top = max(utilization, key=lambda u: u["ratio"], default=None)
        if top is not None and top["product_id"] in names:
            metric = str(top["metric"]).replace("_", " ")
            parts.append(
                f"your {metric} on {names[top['product_id']]} have reached "
                f"{top['ratio'] * 100:.0f} % of what your plan includes"
            )
    if "seat_growth" in codes:
        parts.append("your team using the platform has grown")
    if "renewal_d90" in codes and renewing:
        end = min(line.end_date for line in renewing)
        products = ", ".join(sorted({line.product.name for line in renewing}))
        parts.append(f"your {products} subscription renews on {end.day} {end:%b %Y}")
    if "internal_referral" in codes:
        where = f"in {o.department}" if o.department else "in your organisation"
        parts.append(f"colleagues {where} asked about {target or 'what we offer'}")
    if "compliance_change" in codes:
        parts.append("a new compliance requirement applies to you")
    if "feature_request" in codes:
        parts.append("your team asked for capabilities" + (f" {target} provides" if target else ""))
    if "adjacent_workflow" in codes:
        parts.append("your team runs work next to what you automate today")
    if "lookalike" in codes and target:
        parts.append(f"organisations like yours use {target}")
    if "outcome_achieved" in codes:
        parts.append("you have reached the outcome you set out to achieve")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"Why now: {text}."


def business_case(*, opportunity: Opportunity, explanation: dict) -> dict:
    """The business case panel: the outcome anchor, the next step in words, and the ask beside
    the account's current ARR. Three queries (success metrics, active lines, utilization)."""
    o = opportunity
    # A deal imported from the CRM was never scored: read the account's latest measurements.
    measured = o.as_of or (
        UtilizationSnapshot.objects.filter(
            entitlement__contract__account_id=o.account_id
        ).aggregate(last=Max("as_of"))["last"]
    )
    on = measured or dt.date.today()
    metrics = list(SuccessMetric.objects.filter(account_id=o.account_id).order_by("name"))
    lines = list(
        ContractLine.objects.filter(
            account_id=o.account_id, start_date__lte=on, end_date__gte=on
        ).select_related("product")
    )
    utilization = (
        list(
            UtilizationSnapshot.objects.filter(
                entitlement__contract__account_id=o.account_id, as_of=measured
            ).values(
                "used",
                "ratio",
                "entitlement__metric",
                "entitlement__limit",
                "entitlement__contract__product_id",
            )
        )
        if measured
        else []
    )
    utilization = [
        {
            "used": u["used"],
            "ratio": u["ratio"],
            "metric": u["entitlement__metric"],
            "limit": u["entitlement__limit"],
            "product_id": u["entitlement__contract__product_id"],
        }
        for u in utilization
    ]
    current_arr = sum((line.arr for line in lines), Decimal(0))
    ask = _proposed_arr(opportunity=o, lines=lines, utilization=utilization)
    triggers = explanation["triggers"]
    words = [t["label"] for t in triggers]
    framing = ", ".join([*words[:1], *(w[:1].lower() + w[1:] for w in words[1:])])
    renewing = renewing_lines(lines=lines, as_of=o.as_of)
    return {
        "anchor": _anchor(metrics),
        "play": label(o.play, PLAY_LABELS) if o.play else label(o.motion, MOTION_LABELS),
        "framing": framing,
        "sentence": explanation["sentence"],
        "customer_sentence": customer_sentence(
            opportunity=o,
            codes=[t["code"] for t in triggers],
            lines=lines,
            renewing=renewing,
            utilization=utilization,
        ),
        "renewing": renewing,
        "ask": ask,
        "current_arr": current_arr,
        # The account's ARR once the ask is signed (a tier upgrade replaces its line).
        "total_after": current_arr + ask["increase"] if ask["increase"] is not None else None,
        "lines": lines,
        "as_of": on,
    }
