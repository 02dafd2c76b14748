"""The opportunity FilterSet, shared by the REST list and the browser list."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q

from accounts.models import ContractLine, Segment
from accounts.querysets import normalise_email

from .models import Motion, Opportunity, OpportunityStatus, Play, Stage


class OpportunityFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OpportunityStatus.choices)
    motion = django_filters.ChoiceFilter(choices=Motion.choices)
    play = django_filters.ChoiceFilter(choices=Play.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    account = django_filters.CharFilter(
        field_name="account__external_id", help_text="account external id"
    )
    segment = django_filters.ChoiceFilter(field_name="account__segment", choices=Segment.choices)
    owner = django_filters.CharFilter(method="filter_owner", help_text="owner (AE) e-mail")
    q = django_filters.CharFilter(
        method="filter_q", help_text="text in the account's name or external id"
    )
    renewal_within = django_filters.NumberFilter(
        method="filter_renewal_within",
        min_value=0,
        max_value=3650,
        help_text="days: the account has a contract line ending within 0..N days of the "
        "opportunity's scoring date (e.g. 90)",
    )
    ordering = django_filters.OrderingFilter(
        fields=(
            ("score", "score"),
            ("created", "created"),
            ("account__name", "account"),
            ("play", "play"),
            ("status", "status"),
        ),
        help_text="-score (default), score, created, -created, account, play, status "
        "(each also with -)",
    )

    class Meta:
        model = Opportunity
        fields = ["status", "motion", "play", "stage", "account", "segment", "owner"]

    def filter_owner(self, queryset, name, value):
        return queryset.filter(account__owner_email=normalise_email(value))

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(account__name__icontains=value) | Q(account__external_id__icontains=value)
        )

    def filter_renewal_within(self, queryset, name, value):
        if value is None or value < 0:
            return queryset
        # Relative to the opportunity's own scoring date: a replayed past date reads the same.
        ending = ContractLine.objects.filter(
            account_id=OuterRef("account_id"),
            end_date__gte=OuterRef("as_of"),
            end_date__lte=OuterRef("as_of") + dt.timedelta(days=int(value)),
        )
        return queryset.filter(Exists(ending))

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-score", "id")
        else:
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset
