"""The account pages. Each view parses input, calls one selector (``selectors.accounts``) and
renders the full page or, for an htmx request, its partial. Every read goes through
``restrict(user)``: an account outside one's reach is a 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.models import Segment
from codes.health import AccountActionCode
from scoring.filters import ELIGIBILITY_REASONS

from ..pagecache import account_page_cached
from ..selectors.accounts import TIMELINE_KINDS, account_list_page, account_page

LABELS = {
    "reasons": dict(ELIGIBILITY_REASONS),
    "segments": dict(Segment.choices),
    "actions": dict(AccountActionCode.labels),
}


def _partial(request, target: str) -> bool:
    """An htmx request for one region of the page (not a history restore, which needs the
    whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


@login_required
@require_GET
@vary_on_headers("HX-Request")
def account_list(request):
    """The user's accounts; an htmx request (filters, sort, page) gets the results alone."""
    listing = account_list_page(user=request.user, params=request.GET)
    template = "accounts/account_list.html"
    results = _partial(request, "results")
    if results:
        template += "#results"
    # ``oob``: a results partial also refreshes the Clear link (an htmx out-of-band swap).
    return render(request, template, {"listing": listing, "labels": LABELS, "oob": results})


@login_required
@require_GET
@vary_on_headers("HX-Request")
def account_detail(request, external_id: str):
    """One account; an htmx request for the timeline (filtered by kind) gets it alone. The
    content comes from ``account_page`` or, when enabled, the account page cache."""
    partial = _partial(request, "timeline")

    def build() -> tuple[str, str]:
        page = account_page(
            user=request.user,
            external_id=external_id,
            timeline_kind=request.GET.get("timeline", ""),
        )
        context = {"page": page, "labels": LABELS, "timeline_kinds": TIMELINE_KINDS.items()}
        template = "accounts/_account_page.html" + ("#timeline" if partial else "")
        return page.account.name, render_to_string(template, context, request=request)

    title, content = account_page_cached(
        user=request.user,
        path=request.path + ("#timeline" if partial else ""),
        query=dict(request.GET.lists()),
        build=build,
    )
    if partial:
        return HttpResponse(content)
    context = {"title": title, "content": mark_safe(content)}  # our own rendered template
    return render(request, "accounts/account_detail.html", context)
