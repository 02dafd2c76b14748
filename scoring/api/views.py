from __future__ import annotations

from rest_framework import mixins, viewsets

from accounts.models import Account

from ..filters import AccountFilterSet
from ..models import Notification
from ..scorecard import account_rows, account_scoring_details, scoring_as_of
from ..services import notification_mark_read
from .serializers import AccountSerializer, NotificationSerializer


class NotificationViewSet(mixins.ListModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The user's own in-app notifications (usage alerts), newest first; PATCH marks read."""

    serializer_class = NotificationSerializer
    http_method_names = ["get", "patch", "head", "options"]
    filterset_fields = {"read_at": ["isnull"]}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return Notification.objects.filter(user=self.request.user).order_by("-created", "-id")

    def perform_update(self, serializer):
        notification_mark_read(
            notification=serializer.instance, read=serializer.validated_data.get("read", True)
        )


class AccountViewSet(viewsets.ReadOnlyModelViewSet):
    """Accounts with their latest health, utilization, eligibility and actions."""

    serializer_class = AccountSerializer
    lookup_field = "external_id"
    lookup_value_regex = "[^/]+"
    filterset_class = AccountFilterSet  # shared with the account list page

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database
            return Account.objects.none()
        return account_rows(user=self.request.user)

    def get_serializer(self, *args, **kwargs):
        instances = args[0] if args else None
        if instances is not None:
            many = kwargs.get("many", False)
            ids = [a.pk for a in instances] if many else [instances.pk]
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"]["details"] = account_scoring_details(
                account_ids=ids, as_of=scoring_as_of()
            )
        return super().get_serializer(*args, **kwargs)
