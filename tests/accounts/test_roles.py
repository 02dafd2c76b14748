"""restrict(user): the one place that scopes every page and endpoint by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Account, ContractLine, Entitlement, Priority, Stakeholder
from accounts.services import demo_users_ensure
from playbooks.models import Opportunity
from signals.models import AccountSignal, DailyUsage
from tests.factories import AccountFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_books(db):
    mine = AccountFactory(owner_email="ae1@vendor.example", csm_email="csm1@vendor.example")
    theirs = AccountFactory(owner_email="ae2@vendor.example", csm_email="csm2@vendor.example")
    return mine, theirs


def test_ae_sees_only_accounts_it_owns(two_books) -> None:
    mine, _ = two_books
    ae = UserFactory(username="ae1", roles=["ae"])

    assert list(Account.objects.restrict(ae)) == [mine]


def test_csm_sees_only_accounts_it_manages(two_books) -> None:
    _, theirs = two_books
    csm = UserFactory(username="csm2", roles=["csm"])

    assert list(Account.objects.restrict(csm)) == [theirs]


def test_ae_email_match_ignores_case(two_books) -> None:
    mine, _ = two_books
    ae = UserFactory(username="ae1", email="AE1@Vendor.Example", roles=["ae"])

    assert list(Account.objects.restrict(ae)) == [mine]


def test_csm_role_does_not_grant_owner_accounts(two_books) -> None:
    """GIVEN a CSM whose e-mail is the owner of another account WHEN scoping THEN only the
    accounts it manages count: the role decides which column matches."""
    mine, _ = two_books
    mine.owner_email = "csm2@vendor.example"
    mine.save()
    csm = UserFactory(username="csm2", roles=["csm"])

    assert mine not in Account.objects.restrict(csm)


def test_manager_and_superuser_see_everything(two_books) -> None:
    manager = UserFactory(username="boss", roles=["manager"])
    root = UserFactory(username="root", is_superuser=True)

    assert Account.objects.restrict(manager).count() == 2
    assert Account.objects.restrict(root).count() == 2


def test_no_role_and_anonymous_see_nothing(two_books) -> None:
    nobody = UserFactory(username="nobody")

    assert not Account.objects.restrict(nobody).exists()
    assert not Account.objects.restrict(AnonymousUser()).exists()


@pytest.mark.parametrize(
    "model",
    [ContractLine, Entitlement, Stakeholder, Priority, DailyUsage, AccountSignal, Opportunity],
)
def test_rows_hanging_off_accounts_follow_the_account_scope(imported_sample_book, model) -> None:
    Account.objects.exclude(external_id="NW-001").update(owner_email="ae2@vendor.example")
    ae = UserFactory(username="ae1", roles=["ae"])
    manager = UserFactory(username="boss", roles=["manager"])

    visible = model.objects.restrict(ae)

    assert visible.exists()
    assert visible.count() < model.objects.restrict(manager).count()
    account_path = model.objects.none().account_path
    accounts = set(visible.values_list(f"{account_path}external_id", flat=True))
    assert accounts == {"NW-001"}


def test_demo_users_have_roles_and_known_password() -> None:
    logins = demo_users_ensure(per_role=2)

    assert [(x.username, x.role) for x in logins] == [
        ("ae1", "ae"),
        ("ae2", "ae"),
        ("csm1", "csm"),
        ("csm2", "csm"),
        ("manager", "manager"),
        ("admin", "staff (admin)"),
    ]
    assert demo_users_ensure(per_role=2) == logins  # idempotent
