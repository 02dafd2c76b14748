from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import Account, ContractLine, Priority, Product, Stakeholder
from playbooks.models import Opportunity
from signals.models import AccountSignal


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@vendor.example")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    name = factory.LazyAttribute(lambda p: f"Product {p.sku}")
    kind = "module"
    family = "misc"
    department = "Ops"


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    external_id = factory.Sequence(lambda n: f"ACC-{n:04d}")
    name = factory.LazyAttribute(lambda a: f"Account {a.external_id}")
    segment = "smb"
    owner_email = "ae1@vendor.example"
    csm_email = "csm1@vendor.example"
    customer_since = dt.date(2024, 1, 1)


class ContractLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractLine

    external_id = factory.Sequence(lambda n: f"L-{n:05d}")
    account = factory.SubFactory(AccountFactory)
    product = factory.SubFactory(ProductFactory)
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2025, 12, 31)
    arr = 12000


class StakeholderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stakeholder

    external_id = factory.Sequence(lambda n: f"S-{n:05d}")
    account = factory.SubFactory(AccountFactory)
    name = factory.LazyAttribute(lambda s: f"Person {s.external_id}")
    role = "champion"


class PriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Priority

    stakeholder = factory.SubFactory(StakeholderFactory)
    year = 2026
    priority = factory.Sequence(lambda n: f"Grow {n}")


class AccountSignalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountSignal

    account = factory.SubFactory(AccountFactory)
    date = dt.date(2025, 6, 1)
    kind = "nps"
    value = 9


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    account = factory.SubFactory(AccountFactory)
    key = factory.Sequence(lambda n: f"tier_upgrade:X{n}")
    play = "tier_upgrade"
    motion = "upsell"
    status = "ready"
    score = 10
    created = dt.date(2025, 6, 1)
