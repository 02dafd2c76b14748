from __future__ import annotations

from urllib.parse import unquote

from django.http import HttpRequest, HttpResponse, JsonResponse


class RejectNulCharactersMiddleware:
    """A NUL character in the path or the query string is bad input (PostgreSQL text cannot
    hold one): answer 400 instead of letting it reach a query and fail there."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = unquote(request.META.get("QUERY_STRING", ""))
        if "\x00" in request.path or "\x00" in query:
            return JsonResponse(
                {"detail": "NUL characters are not allowed in the URL."}, status=400
            )
        return self.get_response(request)
