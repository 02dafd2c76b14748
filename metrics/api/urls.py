"""The metrics app's routes under /api/v1/ (included by ``expansion/urls.py``)."""

from __future__ import annotations

from django.urls import path

from .views import RevenueMetricsApi, RevenueMonthlyApi

urlpatterns = [
    path("metrics/revenue/", RevenueMetricsApi.as_view(), name="metrics-revenue"),
    path("metrics/revenue/monthly/", RevenueMonthlyApi.as_view(), name="metrics-revenue-monthly"),
]
