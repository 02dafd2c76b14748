"""Project-wide views that know no app: liveness and the API-aware error pages."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.views.defaults import bad_request, page_not_found, server_error


def healthz(request):
    """Liveness for load balancers; also the framework's floor in bench/api.py."""
    return JsonResponse({"status": "ok"})


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


api_aware_bad_request = _api_aware(bad_request)
api_aware_page_not_found = _api_aware(page_not_found)
api_aware_server_error = _api_aware(server_error)
