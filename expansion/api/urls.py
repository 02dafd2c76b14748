"""/api/v1/: every app's REST endpoints in one router."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import (
    AccountViewSet,
    ContractLineViewSet,
    PriorityViewSet,
    ProductViewSet,
    StakeholderViewSet,
)
from metrics.api.views import RevenueMetricsApi, RevenueMonthlyApi
from playbooks.api.views import OpportunityViewSet
from scoring.api.views import NotificationViewSet
from signals.api.views import AccountSignalViewSet, UsageIngestApi

router = DefaultRouter()
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("accounts", AccountViewSet, basename="account")
router.register("products", ProductViewSet, basename="product")
router.register("contracts", ContractLineViewSet, basename="contract")
router.register("stakeholders", StakeholderViewSet, basename="stakeholder")
router.register("priorities", PriorityViewSet, basename="priority")
router.register("signals", AccountSignalViewSet, basename="signal")
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("usage/", UsageIngestApi.as_view(), name="usage-ingest"),
    path("metrics/revenue/", RevenueMetricsApi.as_view(), name="metrics-revenue"),
    path("metrics/revenue/monthly/", RevenueMonthlyApi.as_view(), name="metrics-revenue-monthly"),
    *router.urls,
]
