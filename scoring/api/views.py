from __future__ import annotations

from rest_framework import mixins, viewsets

from ..models import Notification
from ..services import notification_mark_read
from .serializers import NotificationSerializer


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

