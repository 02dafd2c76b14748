from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .querysets import ROLE_CSM, sees_everything, user_roles


class CsmCanEdit(BasePermission):
    """Stakeholders, priorities and signals: everyone reads what ``visible_to`` gives;
    CSMs (on their accounts, enforced by the scoped querysets) and managers write."""

    message = "Only the account's CSM or a manager may change this."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return sees_everything(request.user) or ROLE_CSM in user_roles(request.user)
