from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Segment

from ..selectors import revenue_between, revenue_by_month

MONEY = {"max_digits": 16, "decimal_places": 2, "coerce_to_string": False}

#: The longest range the revenue endpoints answer, in calendar months counted inclusively
#: (2026-01-01..2035-12-31 is 120). Ten years covers any NRR question; beyond, a 400.
MAX_RANGE_MONTHS = 120


def months_spanned(start, end) -> int:
    """Calendar months from ``start``'s month to ``end``'s, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


class RevenueQuerySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(
        help_text=f"after start, at most {MAX_RANGE_MONTHS} calendar months from it (inclusive)"
    )
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)

    def validate(self, attrs):
        if attrs["start"] >= attrs["end"]:
            raise serializers.ValidationError({"end": "must be after start"})
        months = months_spanned(attrs["start"], attrs["end"])
        if months > MAX_RANGE_MONTHS:
            raise serializers.ValidationError(
                {
                    "end": f"the range may span at most {MAX_RANGE_MONTHS} months; "
                    f"{attrs['start']}..{attrs['end']} spans {months}"
                }
            )
        return attrs


class RevenueSerializer(serializers.Serializer):
    starting_mrr = serializers.DecimalField(**MONEY)
    new_mrr = serializers.DecimalField(**MONEY)
    reactivation_mrr = serializers.DecimalField(**MONEY)
    expansion_mrr = serializers.DecimalField(**MONEY)
    contraction_mrr = serializers.DecimalField(**MONEY)
    churned_mrr = serializers.DecimalField(**MONEY)
    ending_mrr = serializers.DecimalField(**MONEY)
    nrr = serializers.DecimalField(
        max_digits=10,
        decimal_places=4,
        coerce_to_string=False,
        allow_null=True,
        help_text="ratio, e.g. 1.0239; null when starting MRR is 0",
    )
    grr = serializers.DecimalField(
        max_digits=10, decimal_places=4, coerce_to_string=False, allow_null=True
    )


class MonthlyMovementSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="first day of the month")
    starting_mrr = serializers.FloatField()
    new_mrr = serializers.FloatField()
    reactivation_mrr = serializers.FloatField()
    expansion_mrr = serializers.FloatField()
    contraction_mrr = serializers.FloatField()
    churned_mrr = serializers.FloatField()
    ending_mrr = serializers.FloatField()


class RevenueMetricsApi(APIView):
    """MRR movements, NRR and GRR between two days (metrics.md), for the user's book."""

    @extend_schema(parameters=[RevenueQuerySerializer], responses=RevenueSerializer)
    def get(self, request):
        query = RevenueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = revenue_between(user=request.user, **query.validated_data)
        return Response(RevenueSerializer(data).data)


class RevenueMonthlyApi(APIView):
    """One row per month (month-end snapshots): starting MRR, each movement, ending MRR."""

    @extend_schema(
        parameters=[RevenueQuerySerializer], responses=MonthlyMovementSerializer(many=True)
    )
    def get(self, request):
        query = RevenueQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = revenue_by_month(user=request.user, **query.validated_data)
        return Response(MonthlyMovementSerializer(rows, many=True).data)
