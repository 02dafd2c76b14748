"""Writes on accounts and users."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .querysets import ROLE_AE, ROLE_CSM, ROLE_MANAGER, ROLES

DEMO_PASSWORD = "expansion-demo"
DEMO_DOMAIN = "vendor.example"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def _demo_people(count: int) -> list[tuple[str, str]]:
    people = [(f"ae{i}", ROLE_AE) for i in range(1, count + 1)]
    people += [(f"csm{i}", ROLE_CSM) for i in range(1, count + 1)]
    return [*people, ("manager", ROLE_MANAGER)]


@transaction.atomic
def demo_users_ensure(*, per_role: int = 5, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create (or reset) the demo users: ae1..aeN and csm1..csmN with the e-mails the demo
    book assigns accounts to, a manager, and a staff ``admin``. Idempotent."""
    User = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    logins = []
    for username, role in _demo_people(per_role):
        user, _ = User.objects.get_or_create(username=username)
        user.email = f"{username}@{DEMO_DOMAIN}"
        user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        logins.append(DemoLogin(username, password, role))
    admin, _ = User.objects.get_or_create(username="admin")
    admin.email = f"admin@{DEMO_DOMAIN}"
    admin.is_staff = admin.is_superuser = True
    admin.set_password(password)
    admin.save()
    logins.append(DemoLogin("admin", password, "staff (admin)"))
    return logins
