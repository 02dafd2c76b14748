from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from accounts.permissions import CsmCanEdit

from ..models import AccountSignal
from ..services import idempotent_response_get, idempotent_response_save, usage_ingest
from .serializers import AccountSignalSerializer, UsageIngestResultSerializer, UsageRowSerializer

MAX_BATCH = 10_000


class AccountSignalViewSet(viewsets.ModelViewSet):
    """What happened at a customer: NPS, tickets, referrals, compliance changes, ..."""

    serializer_class = AccountSignalSerializer
    permission_classes = [IsAuthenticated, CsmCanEdit]
    filterset_fields = {
        "account__external_id": ["exact"],
        "kind": ["exact"],
        "date": ["gte", "lte"],
    }

    def get_queryset(self):
        return (
            AccountSignal.objects.visible_to(self.request.user)
            .select_related("account")
            .order_by("-date", "id")
        )


class UsageIngestApi(APIView):
    """Push daily usage: up to 10,000 rows; valid rows are kept when others are rejected;
    a re-sent day replaces the stored one; an ``Idempotency-Key`` makes a retry count once."""

    throttle_scope = "usage"
    endpoint = "usage"

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
        if key:
            stored = idempotent_response_get(user=request.user, endpoint=self.endpoint, key=key)
            if stored is not None:
                return Response(
                    stored.response,
                    status=stored.status_code,
                    headers={"Idempotent-Replayed": "true"},
                )
        rows = request.data
        if not isinstance(rows, list):
            raise ValidationError({"non_field_errors": ["expected a JSON array of usage rows"]})
        if len(rows) > MAX_BATCH:
            raise ValidationError(
                {"non_field_errors": [f"at most {MAX_BATCH} rows per batch, got {len(rows)}"]}
            )
        body = usage_ingest(user=request.user, rows=rows).as_dict()
        if key:
            idempotent_response_save(
                user=request.user,
                endpoint=self.endpoint,
                key=key,
                status_code=status.HTTP_200_OK,
                response=body,
            )
        return Response(body, status=status.HTTP_200_OK)
