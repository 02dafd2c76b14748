from __future__ import annotations

from rest_framework import serializers

from ..models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    read = serializers.BooleanField(
        required=False, write_only=True, help_text="PATCH true to mark as read"
    )

    class Meta:
        model = Notification
        fields = ["id", "message", "url", "created", "read_at", "read"]
        read_only_fields = ["id", "message", "url", "created", "read_at"]

