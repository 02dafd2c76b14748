from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .querysets import ROLE_CSM, sees_everything, user_roles


def _may_edit(user) -> bool:
    return sees_everything(user) or ROLE_CSM in user_roles(user)


class CsmCanEdit(BasePermission):
    """Stakeholders, priorities and signals: everyone reads what ``visible_to`` gives; CSMs
    (on their accounts: the scoped querysets) and managers write. Changes to an existing
    object are checked after the scoped lookup, so a foreign object is a 404."""

    message = "Only the account's CSM or a manager may change this."

    def has_permission(self, request, view) -> bool:
        if request.method == "POST":
            return _may_edit(request.user)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in SAFE_METHODS or _may_edit(request.user)
