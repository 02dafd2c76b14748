"""The playbooks app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from core.api.routers import AppRouter

from .views import OpportunityViewSet

router = AppRouter()
router.register("opportunities", OpportunityViewSet, basename="opportunity")

urlpatterns = router.urls
