"""Writes on accounts and users: every person's write of a stakeholder or priority (API,
admin, pages) goes through the functions below."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Account, Priority, Stakeholder
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


class StakeholderChanges(TypedDict, total=False):
    external_id: str
    account: Account
    name: str
    email: str
    title: str
    department: str
    role: str
    influence: int | None
    active: bool


class PriorityChanges(TypedDict, total=False):
    stakeholder: Stakeholder
    year: int
    priority: str
    department: str
    source: str


def _changed(instance, changes: dict):
    """Set the given fields and save the row (as the API's and the admin's saves did)."""
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.save()
    return instance


@transaction.atomic
def stakeholder_create(
    *,
    account: Account,
    external_id: str,
    name: str,
    role: str,
    email: str = "",
    title: str = "",
    department: str = "",
    influence: int | None = None,
    active: bool = True,
) -> Stakeholder:
    return Stakeholder.objects.create(
        account=account,
        external_id=external_id,
        name=name,
        role=role,
        email=email,
        title=title,
        department=department,
        influence=influence,
        active=active,
    )


@transaction.atomic
def stakeholder_update(*, stakeholder: Stakeholder, changes: StakeholderChanges) -> Stakeholder:
    return _changed(stakeholder, dict(changes))


@transaction.atomic
def stakeholder_delete(*, stakeholder: Stakeholder) -> None:
    stakeholder.delete()


@transaction.atomic
def priority_create(
    *, stakeholder: Stakeholder, year: int, priority: str, department: str = "", source: str = ""
) -> Priority:
    return Priority.objects.create(
        stakeholder=stakeholder, year=year, priority=priority, department=department, source=source
    )


@transaction.atomic
def priority_update(*, priority: Priority, changes: PriorityChanges) -> Priority:
    return _changed(priority, dict(changes))


@transaction.atomic
def priority_delete(*, priority: Priority) -> None:
    priority.delete()
