"""What every page's layout needs about the signed-in user: its role and its navigation."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.querysets import ROLE_AE, ROLE_CSM, ROLE_MANAGER, user_roles

ROLE_LABELS = {
    ROLE_AE: "Account executive",
    ROLE_CSM: "Customer success",
    ROLE_MANAGER: "Manager",
}

# (label, url), in each role's order of use.
_OPPORTUNITIES = ("Opportunities", "/opportunities/")
_ACCOUNTS = ("Accounts", "/accounts/")
NAVIGATION = {
    ROLE_AE: (_OPPORTUNITIES, _ACCOUNTS),
    ROLE_CSM: (_ACCOUNTS, _OPPORTUNITIES),
    ROLE_MANAGER: (_OPPORTUNITIES, _ACCOUNTS),
}


def primary_role(roles: frozenset[str]) -> str | None:
    """The role whose home and navigation a user gets: manager, then AE, then CSM."""
    for role in (ROLE_MANAGER, ROLE_AE, ROLE_CSM):
        if role in roles:
            return role
    return None


def navigation(request: HttpRequest) -> dict:
    """``role`` (code), ``role_label`` and ``nav`` (label, url, current) for base.html.
    One query (the user's groups), cached on the user for the request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"role": None, "role_label": "", "nav": ()}
    role = primary_role(user_roles(user))
    if role is None and user.is_superuser:
        role = ROLE_MANAGER
    path = request.path
    items = [
        {"label": label, "url": url, "current": path.startswith(url)}
        for label, url in NAVIGATION.get(role, ())
    ]
    label = ROLE_LABELS.get(role, "Staff" if user.is_staff else "No role")
    return {"role": role, "role_label": label, "nav": items}
