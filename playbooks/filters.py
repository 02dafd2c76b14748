"""The opportunity FilterSet, shared by the REST list and the browser list."""

from __future__ import annotations

import django_filters

from accounts.models import Segment
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
    ordering = django_filters.OrderingFilter(
        fields=(("score", "score"), ("created", "created")),
        help_text="-score (default), score, created, -created",
    )

    class Meta:
        model = Opportunity
        fields = ["status", "motion", "play", "stage", "account", "segment", "owner"]

    def filter_owner(self, queryset, name, value):
        return queryset.filter(account__owner_email=normalise_email(value))

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-score", "id")
        else:
            queryset = queryset.order_by(*queryset.query.order_by, "id")
        return queryset
