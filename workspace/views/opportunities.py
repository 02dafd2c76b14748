"""The account executive's pages. Each view parses input, calls one selector or service
(``workspace`` for reads, ``services`` for writes: the API's own), and renders the full page
or, for an htmx request, its partial. Every lookup goes through ``restrict(user)``: an
opportunity outside one's reach is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.querysets import scope_key
from core.pagecache import CSRF_PLACEHOLDER, with_csrf_token
from playbooks.labels import (
    MOTION_LABELS,
    PLAY_LABELS,
    REASON_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    TRIGGER_LABELS,
)
from playbooks.models import Opportunity
from playbooks.services import opportunity_criterion_set, opportunity_update

from .. import pagecache
from ..forms import CriterionForm, DealForm, StageAdvanceForm
from ..selectors.opportunities import (
    opportunities_visible,
    opportunity_explanation,
    opportunity_list_page,
    opportunity_page,
)
from ..services import opportunity_stage_advance
from ..templatetags.formatting import label_for

LABELS = {
    "plays": PLAY_LABELS,
    "motions": MOTION_LABELS,
    "statuses": STATUS_LABELS,
    "stages": STAGE_LABELS,
    "triggers": TRIGGER_LABELS,
    "reasons": REASON_LABELS,
}


def _partial(request, target: str) -> bool:
    """An htmx request for one region of the page (not a history restore, which needs the
    whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request and htmx.target == target


@login_required
def home(request):
    """The role's home. For now every role starts on its ranked list."""
    return redirect("workspace:opportunity-list")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def opportunity_list(request):
    """The ranked list; an htmx request (filters, sort, page) gets the results alone. The
    content comes from ``opportunity_list_page`` or, when enabled, the page cache."""
    part = "results" if _partial(request, "results") else "content"

    def build() -> str:
        listing = opportunity_list_page(user=request.user, params=request.GET)
        return render_to_string(
            f"playbooks/opportunity_list.html#{part}",
            # ``oob``: a results partial also refreshes the filter panel's "on" badge and
            # its Clear link (htmx out-of-band swaps).
            {"listing": listing, "labels": LABELS, "oob": part == "results"},
            request=request,
        )

    content = pagecache.ranked_list_page.cached(
        scope=scope_key(request.user),
        path=f"{request.path}#{part}",
        query=dict(request.GET.lists()),
        build=build,
    )
    if part == "results":
        return HttpResponse(content)
    return render(request, "playbooks/opportunity_list.html", {"content": mark_safe(content)})


def _visible(request, pk: int) -> Opportunity:
    return get_object_or_404(opportunities_visible(user=request.user), pk=pk)


def _page_context(request, opportunity: Opportunity, **forms) -> dict:
    context = opportunity_page(opportunity=opportunity)
    context.update(
        opportunity=opportunity,
        labels=LABELS,
        can_change=Opportunity.objects.allows(request.user, "change", opportunity),
        stage_form=forms.get("stage_form")
        or StageAdvanceForm(initial={"stage": context["workflow"]["next_stage"]}),
        deal_form=forms.get("deal_form")
        or DealForm(initial={"amount_arr": opportunity.amount_arr, "notes": opportunity.notes}),
    )
    return context


@login_required
@require_GET
@vary_on_headers("HX-Request")
def opportunity_detail(request, pk: int):
    """One opportunity. A ranked-list row expanding in place asks for its explanation alone
    (htmx target ``why-<id>``). The page's content comes from ``opportunity_page`` or, when
    enabled, the page cache (rendered with a placeholder for the session's CSRF token)."""
    if _partial(request, f"why-{pk}"):
        opportunity = _visible(request, pk)
        return render(
            request,
            "playbooks/_explanation.html",
            {
                "opportunity": opportunity,
                "explanation": opportunity_explanation(opportunity=opportunity),
                "labels": LABELS,
                "in_row": True,
            },
        )

    def build() -> tuple[str, str]:
        opportunity = _visible(request, pk)
        context = _page_context(request, opportunity)
        context["csrf_token"] = CSRF_PLACEHOLDER  # any session's: see with_csrf_token
        title = f"{label_for(opportunity.play, LABELS['plays'])} · {opportunity.account.name}"
        content = render_to_string(
            "playbooks/opportunity_detail.html#opportunity", context, request=request
        )
        return title, content

    title, content = pagecache.opportunity_page.cached(
        scope=scope_key(request.user), path=request.path, query={}, build=build
    )
    context = {"title": title, "content": mark_safe(with_csrf_token(request, content))}
    return render(request, "playbooks/opportunity_detail.html", context)


def _changeable(request, pk: int) -> Opportunity:
    opportunity = _visible(request, pk)
    if not Opportunity.objects.allows(request.user, "change", opportunity):
        raise PermissionDenied("Only the account's AE or a manager may change an opportunity.")
    return opportunity


def _after_change(request, opportunity: Opportunity, message: str = "", **forms):
    """An htmx form gets the page's content back, updated (errors included); a plain form
    post is redirected to the page (post/redirect/get)."""
    if request.htmx:
        fresh = _visible(request, opportunity.pk)
        context = _page_context(request, fresh, **forms)
        context["flash"] = message
        return render(request, "playbooks/opportunity_detail.html#opportunity", context)
    if forms:
        for form in forms.values():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
    elif message:
        messages.success(request, message)
    return redirect(reverse("workspace:opportunity-detail", args=[opportunity.pk]))


def _add_errors(form, exc: ValidationError) -> None:
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
@require_POST
def opportunity_stage(request, pk: int):
    """Move through the workflow; unchecked exit criteria (or a loss) need a reason."""
    opportunity = _changeable(request, pk)
    form = StageAdvanceForm(request.POST)
    if form.is_valid():
        try:
            moved = opportunity_stage_advance(
                opportunity=opportunity,
                stage=form.cleaned_data["stage"],
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return _after_change(request, moved, f"Moved to {moved.get_stage_display()}.")
    return _after_change(request, opportunity, stage_form=form)


@login_required
@require_POST
def opportunity_deal(request, pk: int):
    """Amount and notes, through the API's own service."""
    opportunity = _changeable(request, pk)
    form = DealForm(request.POST)
    if not form.is_valid():
        return _after_change(request, opportunity, deal_form=form)
    updated = opportunity_update(
        opportunity=opportunity,
        user=request.user,
        amount_arr=form.cleaned_data["amount_arr"],
        notes=form.cleaned_data["notes"],
    )
    return _after_change(request, updated, "Deal saved.")


@login_required
@require_POST
def opportunity_criterion(request, pk: int, code: str):
    """A person ticks or unticks an exit criterion."""
    opportunity = _changeable(request, pk)
    form = CriterionForm(request.POST)
    form.is_valid()
    try:
        opportunity_criterion_set(
            opportunity=opportunity,
            criterion=code,
            checked=form.cleaned_data.get("checked", False),
            user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _after_change(request, opportunity)
