from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.permissions import MayChange
from core.api.pagination import CountedRows

from ..filters import OpportunityFilterSet
from ..listcache import opportunity_page_cached
from ..models import Opportunity
from ..selectors import OPPORTUNITY_ROW_FIELDS, opportunity_rows
from ..services import opportunity_update
from .serializers import OpportunitySerializer, OpportunityUpdateSerializer


class OpportunityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Expansion opportunities, ranked by score; PATCH moves the stage or sets amount/notes."""

    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilterSet
    permission_classes = [IsAuthenticated, MayChange]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Opportunity.objects.restrict(self.request.user)
            .select_related("account", "target_product", "sponsor", "sponsor_priority")
            .order_by("-score", "id")
        )

    def list(self, request, *args, **kwargs):
        """The ranked list: rows straight from ``values()`` (see ``opportunity_rows``); for
        JSON clients the rendered page is cached (see ``playbooks.listcache``)."""

        def build() -> dict:
            queryset = self.filter_queryset(self.get_queryset())
            page = self.paginate_queryset(CountedRows(queryset, OPPORTUNITY_ROW_FIELDS))
            return self.get_paginated_response(opportunity_rows(page)).data

        if request.accepted_renderer.format != "json":  # the browsable API: never cached
            return Response(build())
        content = opportunity_page_cached(
            user=request.user,
            query=dict(request.query_params.lists()),
            path=request.path,
            build=lambda: JSONRenderer().render(build()),
        )
        return HttpResponse(content, content_type="application/json")

    @extend_schema(request=OpportunityUpdateSerializer, responses=OpportunitySerializer)
    def partial_update(self, request, *args, **kwargs):
        opportunity = self.get_object()
        data = OpportunityUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = opportunity_update(
            opportunity=opportunity, user=request.user, **data.validated_data
        )
        return Response(OpportunitySerializer(self.get_queryset().get(pk=updated.pk)).data)
