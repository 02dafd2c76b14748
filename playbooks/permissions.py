from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.querysets import ROLE_AE, sees_everything, user_roles


class CanChangeOpportunities(BasePermission):
    """Reads follow ``visible_to``; changes are for the account's AE and managers.

    Checked on the object, after the scoped lookup: an opportunity outside the user's reach
    is a 404 whatever the method, never a 403 that would confirm it exists.
    """

    message = "Only the account's AE or a manager may change an opportunity."

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return opportunity_changeable_by(request.user, obj)


def opportunity_changeable_by(user, opportunity) -> bool:
    """May ``user`` change this (already visible) opportunity: the account's AE or a manager.
    The API's PATCH and the pages' forms both ask this."""
    if sees_everything(user):
        return True
    email = (user.email or "").lower()
    return ROLE_AE in user_roles(user) and bool(email) and opportunity.account.owner_email == email
