"""The account FilterSet, shared by the REST list (/api/v1/accounts/) and the account list
page (/accounts/). It filters the queryset of ``selectors.account_rows``, whose annotations
(``health_score``, ``eligible``, ``health_reasons``, ``top_utilization``,
``open_opportunities``, ``arr_on_day``, ``renewal_date``) it sorts and filters on."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import F, Q, TextField
from django.db.models.functions import Cast

from accounts.models import Account, Segment
from codes.health import GuardrailReason

#: Guardrail reason codes (scoring.md, section 3).
ELIGIBILITY_REASONS = list(GuardrailReason.choices)

#: Sort keys of the list: (public name, annotation or field).
ACCOUNT_ORDERING = (
    ("name", "name"),
    ("external_id", "external_id"),
    ("health_score", "health"),
    ("arr_on_day", "arr"),
    ("renewal_date", "renewal"),
    ("top_utilization", "utilization"),
    ("open_opportunities", "opportunities"),
)


class AccountFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", help_text="text in the name or external id")
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    industry = django_filters.CharFilter()
    region = django_filters.CharFilter()
    owner = django_filters.CharFilter(method="filter_owner", help_text="owner (AE) e-mail")
    eligible = django_filters.BooleanFilter(
        field_name="eligible", help_text="eligible for expansion on the last scoring date"
    )
    reason = django_filters.ChoiceFilter(
        choices=ELIGIBILITY_REASONS, method="filter_reason", help_text="a guardrail that holds"
    )
    renewal_within = django_filters.NumberFilter(
        method="filter_renewal_within",
        min_value=0,
        max_value=3650,
        help_text="an active contract line ends within this many days of the scoring date",
    )
    ordering = django_filters.OrderingFilter(
        fields=ACCOUNT_ORDERING,
        help_text="name, external_id, health, arr, renewal, utilization, opportunities; "
        "'-' before one sorts it descending",
    )

    class Meta:
        model = Account
        fields = ["q", "segment", "industry", "region", "owner", "eligible", "reason"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(external_id__icontains=value))

    def filter_owner(self, queryset, name, value):
        return queryset.filter(owner_email=value.strip().lower())

    def filter_reason(self, queryset, name, value):
        # A JSON list of codes; matching the quoted code as text works on every database
        # (no code is a substring of another one in quotes).
        return queryset.annotate(_reasons_text=Cast("health_reasons", TextField())).filter(
            _reasons_text__contains=f'"{value}"'
        )

    def __init__(self, *args, as_of: dt.date | None = None, **kwargs):
        """``as_of``: the scoring date that "renewal within N days" counts from (the
        caller's, when it has read it already; else read here)."""
        super().__init__(*args, **kwargs)
        self.as_of = as_of

    def filter_renewal_within(self, queryset, name, value):
        from .scorecard import scoring_as_of

        day = self.as_of or scoring_as_of() or dt.date.today()
        return queryset.filter(
            renewal_date__gte=day, renewal_date__lte=day + dt.timedelta(days=int(value))
        )

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            return queryset  # the caller's order (the API's: external id; the page's: name)
        # Accounts not scored yet (no health, no utilization) last, whatever the direction.
        return queryset.order_by(
            *(
                F(key[1:]).desc(nulls_last=True)
                if key.startswith("-")
                else F(key).asc(nulls_last=True)
                for key in queryset.query.order_by
            ),
            "id",
        )
