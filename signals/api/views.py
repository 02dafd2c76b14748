from __future__ import annotations

import hashlib

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.permissions import MayChange

from ..models import AccountSignal
from ..services import (
    account_signal_create,
    account_signal_delete,
    account_signal_update,
    usage_ingest,
    usage_ingest_once,
)
from .serializers import AccountSignalSerializer, UsageIngestResultSerializer, UsageRowSerializer

MAX_BATCH = 10_000


class AccountSignalViewSet(viewsets.ModelViewSet):
    """What happened at a customer: NPS, tickets, referrals, compliance changes, ..."""

    serializer_class = AccountSignalSerializer
    permission_classes = [IsAuthenticated, MayChange]
    filterset_fields = {
        "account__external_id": ["exact"],
        "kind": ["exact"],
        "date": ["gte", "lte"],
    }

    def get_queryset(self):
        return (
            AccountSignal.objects.restrict(self.request.user)
            .select_related("account")
            .order_by("-date", "id")
        )

    def perform_create(self, serializer):
        serializer.instance = account_signal_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = account_signal_update(
            signal=serializer.instance, changes=serializer.validated_data
        )

    def perform_destroy(self, instance):
        account_signal_delete(signal=instance)


class UsageIngestApi(APIView):
    """Push daily usage: up to 10,000 rows; valid rows are kept when others are rejected;
    a re-sent day replaces the stored one; an ``Idempotency-Key`` makes a retry count once
    (the same key with another body: 422; while the first request runs: 409)."""

    throttle_scope = "usage"

    throttle_classes = [ScopedRateThrottle]

    @extend_schema(
        request=UsageRowSerializer(many=True),
        responses={200: UsageIngestResultSerializer},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False
            )
        ],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()[:200]
        # Hashed before the body is parsed (the raw bytes are gone after).
        request_hash = hashlib.sha256(request.body).hexdigest() if key else ""
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": ["expected a JSON array of usage rows"]})
        if len(rows) > MAX_BATCH:
            raise ValidationError(
                {"non_field_errors": [f"at most {MAX_BATCH} rows per batch, got {len(rows)}"]}
            )
        if not key:
            return Response(usage_ingest(user=request.user, rows=rows).as_dict())
        answer = usage_ingest_once(
            user=request.user, rows=rows, key=key, request_hash=request_hash
        )
        headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
        return Response(answer.body, status=answer.status_code, headers=headers)
