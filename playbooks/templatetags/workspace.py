"""Template helpers of the opportunity pages. ``{% load workspace %}``."""

from __future__ import annotations

from django import template

register = template.Library()

DEFAULT_ORDERING = "-score"


@register.inclusion_tag("playbooks/_sort_th.html", takes_context=True)
def sort_header(context, label: str, key: str, num: bool = False, desc_first: bool = False):
    """A sortable column header: a real link (``?ordering=``, page reset, other filters
    kept) that htmx follows into ``#results``; ``aria-sort`` on the sorted column."""
    request = context["request"]
    current = request.GET.get("ordering") or DEFAULT_ORDERING
    if current == key:
        direction, next_value = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, next_value = "descending", key
    else:
        direction, next_value = "", f"-{key}" if desc_first else key
    query = request.GET.copy()
    query["ordering"] = next_value
    query.pop("page", None)
    return {
        "label": label,
        "num": num,
        "direction": direction,
        "url": f"{request.path}?{query.urlencode()}",
    }
