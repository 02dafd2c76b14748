from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from .querysets import CHANGE


class MayChange(BasePermission):
    """The model's ``restrict`` rule, for the API. Reads: whatever ``restrict(user, "view")``
    returned (the views' querysets). Writes to an existing object are checked after the scoped
    lookup, so a foreign object is a 404, never a 403 that would confirm it exists; creation
    needs a role that may change the model (the account is checked by the serializer)."""

    message = "You may not change this."

    @staticmethod
    def _rules(model):
        """The model's rule: its ``RestrictedQuerySet`` (class attributes included)."""
        return model._default_manager.get_queryset()

    def has_permission(self, request, view) -> bool:
        # Only where the view creates: a POST elsewhere stays a 405 (DRF checks permissions
        # before it looks the handler up).
        if request.method == "POST" and hasattr(view, "create"):
            rules = self._rules(view.get_queryset().model)
            self.message = rules.change_message
            return rules.may_create(request.user)
        return True

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        rules = self._rules(type(obj))
        self.message = rules.change_message
        return rules.allows(request.user, CHANGE, obj)
