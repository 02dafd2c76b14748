"""The accounts app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from core.api.routers import AppRouter

from .views import (
    ContractLineViewSet,
    PriorityViewSet,
    ProductViewSet,
    StakeholderViewSet,
)

router = AppRouter()
router.register("products", ProductViewSet, basename="product")
router.register("contracts", ContractLineViewSet, basename="contract")
router.register("stakeholders", StakeholderViewSet, basename="stakeholder")
router.register("priorities", PriorityViewSet, basename="priority")

urlpatterns = router.urls
