"""Role scoping: the one place that decides what a user may see and change.

Every page, endpoint, the list cache and the admin ask ``restrict(user, action)`` (NetBox's
``RestrictedQuerySet`` is the model), ``allows(user, action, obj)`` for one fetched row and
``may_create(user)`` for a new one. ``view``: a manager (or superuser) sees every account, an
account executive the accounts it owns (``owner_email``), a customer success manager the
accounts it manages (``csm_email``); a user in no role sees nothing. ``change``: managers and
superusers everything, otherwise the roles a model lets change it (``change_roles``).
E-mails are compared in one form only: ``normalise_email``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Self

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ROLE_AE = "ae"
ROLE_CSM = "csm"
ROLE_MANAGER = "manager"
ROLES = (ROLE_AE, ROLE_CSM, ROLE_MANAGER)

VIEW = "view"
CHANGE = "change"
ACTIONS = (VIEW, CHANGE)

#: which account column links a role to an account
ROLE_LINKS = {ROLE_AE: "owner_email", ROLE_CSM: "csm_email"}


def normalise_email(value: str | None) -> str:
    """The one e-mail comparison form: stripped, lower-case (accounts store it so)."""
    return (value or "").strip().lower()


def user_email(user: AbstractBaseUser | AnonymousUser) -> str:
    return normalise_email(user.email) if user.is_authenticated else ""


def user_roles(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """The role group names of a user, cached on the user object for the request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_expansion_roles", None)
    if cached is None:
        cached = remember_roles(
            user, user.groups.filter(name__in=ROLES).values_list("name", flat=True)
        )
    return cached


def remember_roles(user: AbstractBaseUser, roles: Iterable[str]) -> frozenset[str]:
    """Store roles already loaded with the user (see ``accounts.authentication``)."""
    user._expansion_roles = frozenset(roles)
    return user._expansion_roles


def sees_everything(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or ROLE_MANAGER in user_roles(user))


def scope_key(user: AbstractBaseUser | AnonymousUser) -> str:
    """Users with the same key see the same rows and pages (the page caches key by it); a
    manager's and a superuser's pages differ in wording, so their roles are part of it."""
    if sees_everything(user):
        return f"all:{','.join(sorted(user_roles(user)))}:{int(bool(user.is_superuser))}"
    return f"{user_email(user)}:{','.join(sorted(user_roles(user)))}"


class RestrictedQuerySet(models.QuerySet):
    """Rows that hang off an account through ``account_path``: one rule for "may see" and
    "may change", asked by the API, the pages, the list cache and the admin alike.

    change: managers and superusers everything; otherwise only users in ``change_roles``:
    with ``change_scope = "own"`` on the accounts linked to them through *those* roles
    (opportunities: the account's AE), with ``"visible"`` every row they may see
    (stakeholders, priorities, signals: a CSM, or a CSM who is also an AE)."""

    account_path = "account__"
    change_roles: frozenset[str] = frozenset()
    change_scope = "own"
    #: what the API answers when ``change`` is refused
    change_message = "You may not change this."

    def restrict(self, user: AbstractBaseUser | AnonymousUser, action: str = VIEW) -> Self:
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if sees_everything(user):
            return self
        roles = user_roles(user)
        if action == CHANGE:
            allowed = roles & self.change_roles
            if not allowed:
                return self.none()
            if self.change_scope == "own":
                roles = allowed
        email = user_email(user)
        q = models.Q(pk__in=[])
        if email:
            for role in sorted(roles & ROLE_LINKS.keys()):
                q |= models.Q(**{f"{self.account_path}{ROLE_LINKS[role]}": email})
        return self.filter(q)

    def allows(self, user: AbstractBaseUser | AnonymousUser, action: str, obj) -> bool:
        """``obj`` may be ``action``-ed by ``user``: the rule of ``restrict`` for one row, in
        Python, without a query (the account is read through ``account_path``)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        if sees_everything(user):
            return True
        roles = user_roles(user)
        if action == CHANGE:
            allowed = roles & self.change_roles
            if not allowed:
                return False
            if self.change_scope == "own":
                roles = allowed
        email = user_email(user)
        if not email:
            return False
        account = obj
        for step in filter(None, self.account_path.split("__")):
            account = getattr(account, step)
        return any(getattr(account, ROLE_LINKS[r]) == email for r in roles & ROLE_LINKS.keys())

    def may_create(self, user: AbstractBaseUser | AnonymousUser) -> bool:
        """A new row may be added at all (the account it goes to is checked by ``restrict``)."""
        return sees_everything(user) or bool(user_roles(user) & self.change_roles)


class CsmChangesQuerySet(RestrictedQuerySet):
    """Stakeholders, priorities, account signals: CSMs change what they see; managers all."""

    change_roles = frozenset({ROLE_CSM})
    change_scope = "visible"
    change_message = "Only the account's CSM or a manager may change this."


class AccountQuerySet(RestrictedQuerySet):
    account_path = ""
