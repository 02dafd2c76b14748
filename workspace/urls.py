"""The browser pages (``../shared/spec/interfaces.md``, "Pages")."""

from __future__ import annotations

from django.urls import path

from .views import accounts, opportunities

app_name = "workspace"

urlpatterns = [
    path("", opportunities.home, name="home"),
    path("opportunities/", opportunities.opportunity_list, name="opportunity-list"),
    path("opportunities/<int:pk>/", opportunities.opportunity_detail, name="opportunity-detail"),
    path(
        "opportunities/<int:pk>/stage/", opportunities.opportunity_stage, name="opportunity-stage"
    ),
    path("opportunities/<int:pk>/deal/", opportunities.opportunity_deal, name="opportunity-deal"),
    path(
        "opportunities/<int:pk>/criteria/<slug:code>/",
        opportunities.opportunity_criterion,
        name="opportunity-criterion",
    ),
    path("accounts/", accounts.account_list, name="account-list"),
    # ``path``: an external id is the source system's, any text (even with a slash).
    path("accounts/<path:external_id>/", accounts.account_detail, name="account-detail"),
]
