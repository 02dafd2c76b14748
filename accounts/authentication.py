"""Token authentication that loads the user's roles in the same query as the token.

Every API request needs the user's role groups to scope its rows (``accounts.querysets``);
DRF's own token authentication costs one query for the token and another for the groups,
and compiling an ORM query with subqueries costs more than running it. Here one plain SQL
statement, built once, reads the user, the token and one EXISTS column per role, and the
roles are stored where ``user_roles`` looks for them first.
"""

from __future__ import annotations

from functools import cache

from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .querysets import ROLES, remember_roles


@cache
def _token_user_sql() -> str:
    user, token = User._meta.db_table, Token._meta.db_table
    membership, group = User.groups.through._meta.db_table, Group._meta.db_table
    roles = ", ".join(
        f"EXISTS (SELECT 1 FROM {membership} m JOIN {group} g ON g.id = m.group_id"
        f" WHERE m.user_id = u.id AND g.name = '{role}') AS role_{role}"
        for role in ROLES
    )
    return (
        f"SELECT u.*, t.created AS token_created, {roles}"
        f" FROM {token} t JOIN {user} u ON u.id = t.user_id WHERE t.key = %s"
    )


class RoleTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        user = next(iter(User.objects.raw(_token_user_sql(), [key])), None)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, {role for role in ROLES if getattr(user, f"role_{role}")})
        return user, Token(key=key, user=user, created=user.token_created)
