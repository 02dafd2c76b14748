"""restrict(user, action): the one authorization rule, table-driven over roles x actions x
scoped models; ``allows`` (one row, in Python) and ``may_create`` agree with it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import Account, ContractLine, Priority, Stakeholder
from accounts.querysets import CHANGE, VIEW, scope_key
from playbooks.models import Opportunity
from signals.models import AccountSignal
from tests.factories import (
    AccountFactory,
    AccountSignalFactory,
    ContractLineFactory,
    OpportunityFactory,
    PriorityFactory,
    StakeholderFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODELS = (Account, ContractLine, Stakeholder, Priority, AccountSignal, Opportunity)
ROLES = {
    "ae": ("ae1", ["ae"]),
    "csm": ("csm1", ["csm"]),
    "ae+csm": ("ae1", ["ae", "csm"]),
    "manager": ("boss", ["manager"]),
    "superuser": ("root", []),
    "nobody": ("nobody", []),
    "anonymous": (None, []),
}
BOTH = {"A", "B"}
CSM_WRITES = {"ae": set(), "csm": {"A"}, "ae+csm": {"A"}}
#: (role, action) -> model -> the accounts whose rows it returns; managers, superusers: BOTH;
#: nobody, anonymous: nothing
EXPECTED = {
    (VIEW, "ae"): dict.fromkeys(MODELS, frozenset({"A"})),
    (VIEW, "csm"): dict.fromkeys(MODELS, frozenset({"A"})),
    (VIEW, "ae+csm"): dict.fromkeys(MODELS, frozenset({"A"})),
    **{
        (CHANGE, role): {
            Account: set(),
            ContractLine: set(),
            Stakeholder: CSM_WRITES[role],
            Priority: CSM_WRITES[role],
            AccountSignal: CSM_WRITES[role],
            Opportunity: {"A"} if "ae" in role.split("+") else set(),
        }
        for role in ("ae", "csm", "ae+csm")
    },
}


@pytest.fixture
def book(db):
    """Two accounts: A (ae1, csm1) and B (ae2, csm2), with one row of each scoped model."""
    rows = {}
    for tag in ("A", "B"):
        account = AccountFactory(
            external_id=f"ACC-{tag}",
            owner_email=f"ae{1 if tag == 'A' else 2}@vendor.example",
            csm_email=f"csm{1 if tag == 'A' else 2}@vendor.example",
        )
        person = StakeholderFactory(account=account)
        rows[tag] = {
            Account: account,
            ContractLine: ContractLineFactory(account=account),
            Stakeholder: person,
            Priority: PriorityFactory(stakeholder=person),
            AccountSignal: AccountSignalFactory(account=account),
            Opportunity: OpportunityFactory(account=account),
        }
    return rows


def _user(role: str):
    username, roles = ROLES[role]
    if username is None:
        return AnonymousUser()
    return UserFactory(username=username, roles=roles, is_superuser=role == "superuser")


def _expected(action: str, role: str, model) -> set[str]:
    if role in ("manager", "superuser"):
        return BOTH
    if role in ("nobody", "anonymous"):
        return set()
    return EXPECTED[(action, role)][model]


@pytest.mark.parametrize("action", [VIEW, CHANGE])
@pytest.mark.parametrize("role", list(ROLES))
def test_restrict_view_and_change_per_role(book, role, action) -> None:
    user = _user(role)
    for model in MODELS:
        expected = {book[tag][model].pk for tag in _expected(action, role, model)}
        got = set(model.objects.restrict(user, action).values_list("pk", flat=True))
        assert got == expected, (model.__name__, role, action)
        # change never reaches beyond view
        assert got <= set(model.objects.restrict(user, VIEW).values_list("pk", flat=True))
        # the one-row rule agrees with the queryset, row by row
        for tag in BOTH:
            obj = book[tag][model]
            assert model.objects.allows(user, action, obj) == (obj.pk in expected), (
                model.__name__, role, action, tag,
            )
        assert model.objects.may_create(user) == (
            role in ("manager", "superuser") or bool(EXPECTED.get((CHANGE, role), {}).get(model))
        ), (model.__name__, role)


def test_restrict_defaults_to_view(book) -> None:
    user = _user("csm")
    for model in MODELS:
        assert list(model.objects.restrict(user)) == list(model.objects.restrict(user, VIEW))


def test_unknown_action_is_refused(book) -> None:
    with pytest.raises(ValueError):
        Account.objects.restrict(_user("ae"), "delete")


def test_email_compared_stripped_and_lower_case(book) -> None:
    sloppy = UserFactory(username="ae1-sloppy", email=" AE1@Vendor.Example ", roles=["ae"])
    clean = UserFactory(username="ae1", roles=["ae"])
    opportunity = book["A"][Opportunity]
    assert list(Opportunity.objects.restrict(sloppy, CHANGE)) == [opportunity]
    assert Opportunity.objects.allows(sloppy, CHANGE, opportunity)
    assert scope_key(sloppy) == scope_key(clean) == "ae1@vendor.example:ae"
