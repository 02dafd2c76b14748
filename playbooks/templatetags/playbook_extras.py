from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict | None, key: str):
    """``{{ counts|get_item:"status:ready" }}``: dictionary keys that are not identifiers."""
    return (mapping or {}).get(key)
