from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.querysets import ROLE_AE, sees_everything, user_roles


class CanChangeOpportunities(BasePermission):
    """Reads follow ``visible_to``; changes are for AEs (on accounts they own) and managers."""

    message = "Only the account's AE or a manager may change an opportunity."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return sees_everything(request.user) or ROLE_AE in user_roles(request.user)

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS or sees_everything(request.user):
            return True
        email = (request.user.email or "").lower()
        return bool(email) and obj.account.owner_email == email
