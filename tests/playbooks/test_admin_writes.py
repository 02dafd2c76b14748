"""The admin writes through the services: a stage change there writes its history row, like
the API's; stakeholders, priorities and signals saved there go through their services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import Priority, Stakeholder
from playbooks.models import Opportunity, OpportunityStageChange
from signals.models import AccountSignal
from tests.factories import (
    AccountFactory,
    OpportunityFactory,
    PriorityFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_user():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def _change_form_data(client: Client, url: str) -> dict:
    """What the admin's change form would post unchanged: the form's and inlines' values."""
    response = client.get(url)
    assert response.status_code == 200
    adminform = response.context["adminform"].form
    data = {}
    for name, field in adminform.fields.items():
        value = adminform.initial.get(name, field.initial)
        if value is None:
            value = ""
        elif isinstance(value, bool):
            if not value:
                continue
            value = "on"
        elif hasattr(value, "pk"):
            value = value.pk
        data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, 0)
    return data


def test_admin_stage_change_writes_history(admin_client, admin_user) -> None:
    opportunity = OpportunityFactory(stage="identified", amount_arr=1000)
    url = f"/admin/playbooks/opportunity/{opportunity.pk}/change/"
    data = _change_form_data(admin_client, url)
    data["stage"] = "qualified"
    data["notes"] = "moved by staff"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    opportunity.refresh_from_db()
    assert opportunity.stage == "qualified"
    assert opportunity.notes == "moved by staff"
    change = OpportunityStageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        "identified",
        "qualified",
        admin_user,
    )


def test_admin_adds_changes_and_deletes_through_the_services(admin_client) -> None:
    account = AccountFactory()
    response = admin_client.post(
        "/admin/accounts/stakeholder/add/",
        {
            "external_id": "S-ADMIN",
            "account": account.pk,
            "name": "Ada",
            "email": "",
            "title": "",
            "department": "",
            "role": "champion",
            "influence": "",
            "active": "on",
            "priorities-TOTAL_FORMS": 1,
            "priorities-INITIAL_FORMS": 0,
            "priorities-0-year": 2026,
            "priorities-0-priority": "Grow",
            "priorities-0-department": "",
            "priorities-0-source": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    person = Stakeholder.objects.get(external_id="S-ADMIN")
    assert list(person.priorities.values_list("priority", flat=True)) == ["Grow"]
    signal = AccountSignal.objects.create(
        account=account, date=dt.date(2025, 6, 1), kind="nps", value=7
    )
    url = f"/admin/signals/accountsignal/{signal.pk}/change/"
    data = _change_form_data(admin_client, url)
    data["value"] = "9"
    assert admin_client.post(url, data).status_code == 302
    signal.refresh_from_db()
    assert signal.value == 9
    priority = PriorityFactory(stakeholder=StakeholderFactory(account=account))
    url = f"/admin/accounts/priority/{priority.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Priority.objects.filter(pk=priority.pk).exists()


def test_admin_shows_staff_only_their_roles_rows(admin_client) -> None:
    mine = AccountFactory(owner_email="ae1@vendor.example")
    theirs = AccountFactory(owner_email="ae2@vendor.example", csm_email="csm2@vendor.example")
    ours, foreign = OpportunityFactory(account=mine), OpportunityFactory(account=theirs)
    staff = UserFactory(username="ae1", roles=["ae"], is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_opportunity", "change_opportunity"])
    )
    client = Client()
    client.force_login(staff)
    listing = client.get("/admin/playbooks/opportunity/")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [ours]
    assert client.get(f"/admin/playbooks/opportunity/{foreign.pk}/change/").status_code == 302
    assert Opportunity.objects.count() == 2
