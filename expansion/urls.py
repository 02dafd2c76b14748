"""The project's routes: every app's ``urls.py`` and ``api/urls.py`` included by name; this
module imports no app (``lint-imports``: expansion only wires)."""

from django.contrib import admin
from django.contrib.auth.views import LoginView, LogoutView
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView
from rest_framework.urlpatterns import format_suffix_patterns

#: /api/v1/'s browsable root, in the order the single router used to list them.
API_ROOT = {
    "opportunities": "opportunity-list",
    "accounts": "account-list",
    "products": "product-list",
    "contracts": "contract-list",
    "stakeholders": "stakeholder-list",
    "priorities": "priority-list",
    "signals": "signal-list",
    "notifications": "notification-list",
}

api_v1 = [
    path("", include("signals.api.urls")),
    path("", include("metrics.api.urls")),
    path("", include("playbooks.api.urls")),
    path("", include("accounts.api.urls")),
    path("", include("scoring.api.urls")),
    *format_suffix_patterns(
        [path("", APIRootView.as_view(api_root_dict=API_ROOT), name="api-root")]
    ),
]

urlpatterns = [
    path("", include("workspace.urls")),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("", include("core.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP forbids inline ones.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]


handler400 = "core.views.api_aware_bad_request"
handler404 = "core.views.api_aware_page_not_found"
handler500 = "core.views.api_aware_server_error"
