"""Role scoping: the one place that decides what a user may see.

Every page and endpoint goes through ``visible_to(user)``: a manager (or superuser) sees
every account, an account executive the accounts it owns (``owner_email``), a customer
success manager the accounts it manages (``csm_email``). A user in no role sees nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

ROLE_AE = "ae"
ROLE_CSM = "csm"
ROLE_MANAGER = "manager"
ROLES = (ROLE_AE, ROLE_CSM, ROLE_MANAGER)


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


def account_scope_q(user: AbstractBaseUser | AnonymousUser, prefix: str = "") -> models.Q | None:
    """A Q limiting rows to the user's accounts (``prefix`` is the path to the account,
    e.g. ``"account__"``); None means unrestricted."""
    if sees_everything(user):
        return None
    roles = user_roles(user)
    email = (user.email or "").strip().lower() if user.is_authenticated else ""
    q = models.Q(pk__in=[])
    if email and ROLE_AE in roles:
        q |= models.Q(**{f"{prefix}owner_email": email})
    if email and ROLE_CSM in roles:
        q |= models.Q(**{f"{prefix}csm_email": email})
    return q


class AccountScopedQuerySet(models.QuerySet):
    """A queryset of rows that hang off an account through ``account_path``."""

    account_path = "account__"

    def visible_to(self, user: AbstractBaseUser | AnonymousUser) -> AccountScopedQuerySet:
        q = account_scope_q(user, self.account_path)
        return self if q is None else self.filter(q)


class AccountQuerySet(AccountScopedQuerySet):
    account_path = ""
