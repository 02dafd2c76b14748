"""The one model of the infrastructure: idempotency keys (``core.idempotency``)."""

from __future__ import annotations

from django.db import models


class IdempotencyRecord(models.Model):
    """A client's ``Idempotency-Key`` with the response it got, so a retried request is
    answered the same without being applied twice. Expires after 24 hours.

    Created (committed) when a request claims the key, before it runs: ``status_code`` is
    empty while it is in flight. ``request_hash`` (SHA-256 of the body) tells a retry from a
    different request reusing the key."""

    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    endpoint = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        db_table = "signals_idempotencyrecord"  # moved from signals (issue 11), table kept
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_key"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
