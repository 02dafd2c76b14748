"""The scoring app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from core.api.routers import AppRouter

from .views import NotificationViewSet

router = AppRouter()
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
