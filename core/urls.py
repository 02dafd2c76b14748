"""Infrastructure routes (no ``app_name``: the name ``healthz`` stays global)."""

from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [path("healthz", views.healthz, name="healthz")]
