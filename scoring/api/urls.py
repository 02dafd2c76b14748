"""The scoring app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from core.api.routers import AppRouter

from .views import AccountViewSet, NotificationViewSet

router = AppRouter()
# The account scorecard: accounts with their latest judgment (the account pages' own reads).
router.register("accounts", AccountViewSet, basename="account")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = router.urls
