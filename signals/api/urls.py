"""The signals app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from django.urls import path

from core.api.routers import AppRouter

from .views import AccountSignalViewSet, UsageIngestApi

router = AppRouter()
router.register("signals", AccountSignalViewSet, basename="signal")

urlpatterns = [
    path("usage/", UsageIngestApi.as_view(), name="usage-ingest"),
    *router.urls,
]
