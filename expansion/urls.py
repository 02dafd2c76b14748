from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView, LogoutView
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import bad_request, page_not_found, server_error
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from playbooks.views import home


def healthz(request):
    """Liveness for load balancers; also the framework's floor in bench/api.py."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", home, name="home"),
    path("", include("playbooks.urls")),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("expansion.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP forbids inline ones.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
]


def _api_aware(default):
    """Under /api/ errors are JSON like every other API answer; elsewhere, Django's pages."""

    def handler(request, *args, **kwargs):
        if request.path.startswith("/api/"):
            status, message = {
                bad_request: (400, "Bad request."),
                page_not_found: (404, "Not found."),
            }.get(default, (500, "Server error."))
            if isinstance(kwargs.get("exception"), RequestDataTooBig):
                message = (
                    "The request body is larger than "
                    f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
                )
            return JsonResponse({"detail": message}, status=status)
        return default(request, *args, **kwargs)

    return handler


handler400 = _api_aware(bad_request)
handler404 = _api_aware(page_not_found)
handler500 = _api_aware(server_error)
