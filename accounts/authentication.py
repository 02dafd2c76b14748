"""Token authentication that loads the user's roles in the same query as the token.

Every API request needs the user's role groups to scope its rows (``accounts.querysets``);
DRF's own token authentication costs one query for the token and another for the groups,
and compiling an ORM query with subqueries costs more than running it. Here one plain SQL
statement, built once, reads the user, the token and the user's role groups, and the
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
    """The user and the token's date, one row per role group of the user (one row with a
    NULL role when it has none). A plain join plans faster than subqueries per role."""
    user, token = User._meta.db_table, Token._meta.db_table
    membership, group = User.groups.through._meta.db_table, Group._meta.db_table
    roles = ", ".join(f"'{role}'" for role in ROLES)
    return (
        f"SELECT u.*, t.created AS token_created, g.name AS role_name"
        f" FROM {token} t JOIN {user} u ON u.id = t.user_id"
        f" LEFT JOIN ({membership} m JOIN {group} g ON g.id = m.group_id AND g.name IN ({roles}))"
        f" ON m.user_id = u.id WHERE t.key = %s"
    )


class RoleTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str):
        rows = list(User.objects.raw(_token_user_sql(), [key]))
        if not rows:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = rows[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        remember_roles(user, {row.role_name for row in rows if row.role_name})
        return user, Token(key=key, user=user, created=user.token_created)
