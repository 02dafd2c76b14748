from django.contrib import admin
from django.contrib.auth.views import LoginView, LogoutView
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found, server_error
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
            status = 404 if default is page_not_found else 500
            message = "Not found." if status == 404 else "Server error."
            return JsonResponse({"detail": message}, status=status)
        return default(request, *args, **kwargs)

    return handler


handler404 = _api_aware(page_not_found)
handler500 = _api_aware(server_error)
