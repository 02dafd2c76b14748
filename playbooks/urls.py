"""The account executive's pages (``../shared/spec/interfaces.md``, "Pages")."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "playbooks"

urlpatterns = [
    path("", views.home, name="home"),
    path("opportunities/", views.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", views.opportunity_detail, name="opportunity-detail"),
    path("opportunities/<int:pk>/stage/", views.opportunity_stage, name="opportunity-stage"),
    path("opportunities/<int:pk>/deal/", views.opportunity_deal, name="opportunity-deal"),
    path(
        "opportunities/<int:pk>/criteria/<slug:code>/",
        views.opportunity_criterion,
        name="opportunity-criterion",
    ),
]
