"""Merging two records of one company (customers.services_merge): every record of the
duplicate moves to the survivor, chosen fields are taken, the duplicate is soft-deleted with a
pointer, both histories say so; bad input is refused with a message and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import StaffRole
from billing.models import BillingProfile, Invoice, Subscription, UsageRecord
from customers import services_merge
from customers.models import Customer, LinkedAccount
from customers.models_contacts import Contact
from customers.services_contacts import contact_create
from customers.services_merge import merge_customers, merge_plan
from locations.models import Location
from portal.models import Membership, PermissionSet
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    InvoiceFactory,
    LinkedAccountFactory,
    LocationFactory,
    MembershipFactory,
    PermissionSetFactory,
    SubscriptionFactory,
    TeamFactory,
    UsageRecordFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(in_tenant):
    return UserFactory(role=StaffRole.ADMIN)


@pytest.fixture
def pair(in_tenant):
    survivor = CustomerFactory(name="Acme Corporation", website="", industry="Retail")
    duplicate = CustomerFactory(
        name="ACME Corp.", website="https://acme.example", industry="Wholesale"
    )
    return survivor, duplicate


def write_count() -> int:
    """Rows inserted, updated or deleted so far in this transaction's database (tenant)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) "
            "FROM pg_stat_xact_user_tables"
        )
        return cursor.fetchone()[0]


def test_every_record_moves_to_the_survivor(pair, admin):
    survivor, duplicate = pair
    contact = contact_create(customer=duplicate, actor=admin, name="Dana Dup", email="d@acme.ex")
    location = LocationFactory(customer=duplicate)
    owned = AssetFactory(owner=duplicate, location=location)
    invoice = InvoiceFactory(customer=duplicate)
    account = LinkedAccountFactory(customer=duplicate)
    member = MembershipFactory(customer=duplicate)
    child = CustomerFactory(name="Acme Child", parent=duplicate)
    team = TeamFactory()
    team.customers.add(duplicate, survivor)

    result = merge_customers(
        survivor=survivor, duplicate=duplicate, actor=admin, reason="Same company"
    )

    assert Contact.objects.get(pk=contact.pk).customer_id == survivor.pk
    assert Location.objects.get(pk=location.pk).customer_id == survivor.pk
    owned.refresh_from_db()
    assert owned.owner_id == survivor.pk
    assert Invoice.objects.get(pk=invoice.pk).customer_id == survivor.pk
    assert LinkedAccount.objects.get(pk=account.pk).customer_id == survivor.pk
    assert Membership.objects.get(pk=member.pk).customer_id == survivor.pk
    assert Customer.objects.get(pk=child.pk).parent_id == survivor.pk
    assert list(team.customers.all()) == [survivor]
    assert result.moved["contacts"] == 1
    assert result.moved["locations"] == 1
    assert result.moved["sub-accounts"] == 1
    # Moved records say why in their own history.
    assert contact.history.latest().history_change_reason.startswith("Moved from ACME Corp.")


def test_the_duplicate_is_soft_deleted_with_a_pointer_and_both_histories_say_so(pair, admin):
    survivor, duplicate = pair
    merge_customers(survivor=survivor, duplicate=duplicate, actor=admin, reason="Same company")
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == survivor.pk
    assert duplicate.deleted_at is not None and duplicate.deleted_by == admin
    gone = duplicate.history.latest()
    kept = survivor.history.latest()
    assert gone.history_change_reason == (
        f"Merged into Acme Corporation (#{survivor.pk}): Same company"
    )
    assert (
        kept.history_change_reason == f"Merged ACME Corp. (#{duplicate.pk}) into this: Same company"
    )
    assert gone.history_user == kept.history_user == admin


def test_field_choices_take_the_duplicates_values(pair, admin):
    survivor, duplicate = pair
    merge_customers(
        survivor=survivor,
        duplicate=duplicate,
        field_choices={"industry": "duplicate", "name": "survivor"},
        actor=admin,
    )
    survivor.refresh_from_db()
    assert survivor.industry == "Wholesale"
    assert survivor.name == "Acme Corporation"
    # Not chosen: the survivor's empty website takes the duplicate's.
    assert survivor.website == "https://acme.example"


def test_the_external_id_moves_with_the_choice(in_tenant, admin):
    survivor = CustomerFactory(name="Acme", external_id="")
    duplicate = CustomerFactory(name="Acme Inc", external_id="CRM-7")
    merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    survivor.refresh_from_db()
    duplicate.refresh_from_db()
    assert (survivor.external_id, duplicate.external_id) == ("CRM-7", "")


def test_one_per_customer_rows_are_combined_by_their_apps_rules(pair, admin):
    survivor, duplicate = pair
    BillingProfile.objects.create(customer=survivor, tax_id="SURV")
    BillingProfile.objects.create(customer=duplicate, tax_id="DUP")
    UsageRecordFactory(customer=survivor, day=date(2026, 1, 15), quantity=5)
    UsageRecordFactory(customer=duplicate, day=date(2026, 1, 15), quantity=7)
    PermissionSetFactory(customer=survivor, name="Finance")
    renamed = PermissionSetFactory(customer=duplicate, name="Finance")

    plan = merge_plan(survivor=survivor, duplicate=duplicate)
    assert not plan.blockers
    assert any("billing profile is kept" in line for line in plan.combined)

    merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    assert BillingProfile.objects.get(customer=survivor).tax_id == "SURV"
    assert not BillingProfile.objects.filter(customer=duplicate).exists()
    assert UsageRecord.objects.get(customer=survivor).quantity == 12
    renamed = PermissionSet.objects.get(pk=renamed.pk)
    assert (renamed.customer_id, renamed.name) == (survivor.pk, "Finance (from ACME Corp.)")


def test_a_collision_without_a_way_to_combine_is_refused_and_writes_nothing(pair, admin):
    survivor, duplicate = pair
    SubscriptionFactory(customer=survivor)
    subscription = SubscriptionFactory(customer=duplicate)
    contact_create(customer=duplicate, actor=admin, name="Dana Dup")
    plan = merge_plan(survivor=survivor, duplicate=duplicate)
    assert plan.blockers == [] and any("refused" in line for line in plan.combined)
    before = write_count()
    with pytest.raises(ValidationError, match="both have a live subscription"):
        merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    assert write_count() == before
    assert Subscription.objects.get(pk=subscription.pk).customer_id == duplicate.pk
    assert Contact.objects.get(customer=duplicate)


def test_an_unregistered_collision_is_refused_by_name(pair, admin, monkeypatch):
    survivor, duplicate = pair
    monkeypatch.delitem(services_merge.MERGE_RULES, "billing.BillingProfile")
    BillingProfile.objects.create(customer=survivor)
    BillingProfile.objects.create(customer=duplicate)
    plan = merge_plan(survivor=survivor, duplicate=duplicate)
    assert plan.blockers == [
        "Both customers have billing profiles that may exist only once per customer; change "
        "or remove the duplicate's first."
    ]
    with pytest.raises(ValidationError, match="billing profiles"):
        merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)


def test_a_failure_half_way_writes_nothing(pair, admin, monkeypatch):
    """Records already moved when a later relation fails are put back: one transaction."""
    survivor, duplicate = pair
    contact = contact_create(customer=duplicate, actor=admin, name="Dana Dup")
    location = LocationFactory(customer=duplicate)

    def broken(colliding, **kwargs):
        raise ValidationError("The disk is full.")

    relations = services_merge.customer_relations()
    last = relations[-1]
    monkeypatch.setattr(
        services_merge, "customer_relations", lambda: [*relations[:-1], _always_colliding(last)]
    )
    monkeypatch.setitem(
        services_merge.MERGE_RULES,
        last.model._meta.label,
        services_merge.RegisteredRule(broken, "breaks"),
    )
    with pytest.raises(ValidationError, match="disk is full"):
        merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    assert Contact.objects.get(pk=contact.pk).customer_id == duplicate.pk
    assert Location.objects.get(pk=location.pk).customer_id == duplicate.pk
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is None and duplicate.merged_into_id is None
    assert survivor.history.count() == 1


def _always_colliding(relation):
    """The relation as if every row of the duplicate collided (to fail after the others)."""

    class Colliding(type(relation)):
        def colliding(self, survivor_id, duplicate_id):
            return Customer.objects.filter(pk=duplicate_id)

    return Colliding(**{f: getattr(relation, f) for f in relation.__dataclass_fields__})


@pytest.mark.parametrize(
    "case, message",
    [
        ("itself", "cannot be merged with itself"),
        ("deleted", "is deleted"),
        ("merged", "already merged"),
        ("below", "is a sub-account of"),
    ],
)
def test_bad_pairs_are_refused_and_write_nothing(in_tenant, admin, case, message):
    survivor = CustomerFactory(name="Acme")
    duplicate = CustomerFactory(name="Acme Inc")
    if case == "itself":
        duplicate = survivor
    elif case == "deleted":
        Customer.objects.filter(pk=duplicate.pk).update(deleted_at="2026-01-01T00:00Z")
    elif case == "merged":
        other = CustomerFactory(name="Other")
        merge_customers(survivor=other, duplicate=duplicate, actor=admin)
    elif case == "below":
        Customer.objects.filter(pk=survivor.pk).update(parent=duplicate)
    contact_create(customer=survivor, actor=admin, name="Kept")
    before = write_count()
    with pytest.raises(ValidationError, match=message):
        merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    assert write_count() == before


def test_merging_a_sub_account_into_its_parent_works(in_tenant, admin):
    parent = CustomerFactory(name="Acme")
    child = CustomerFactory(name="Acme (dup)", parent=parent)
    grandchild = CustomerFactory(name="Acme Shop", parent=child)
    merge_customers(survivor=parent, duplicate=child, actor=admin)
    assert Customer.objects.get(pk=grandchild.pk).parent_id == parent.pk


@pytest.mark.parametrize("role", [StaffRole.STAFF, StaffRole.VIEWER])
def test_without_the_right_to_merge_nothing_is_written(pair, role):
    survivor, duplicate = pair
    user = UserFactory(role=role)
    before = write_count()
    with pytest.raises(ValidationError, match="may not merge"):
        merge_customers(survivor=survivor, duplicate=duplicate, actor=user)
    assert write_count() == before


def test_unknown_fields_or_sides_are_refused(pair, admin):
    survivor, duplicate = pair
    with pytest.raises(ValidationError, match="cannot be merged: portal_access"):
        merge_customers(
            survivor=survivor,
            duplicate=duplicate,
            field_choices={"portal_access": "duplicate"},
            actor=admin,
        )
    with pytest.raises(ValidationError, match="Choose the survivor's or the duplicate's"):
        merge_customers(
            survivor=survivor, duplicate=duplicate, field_choices={"name": "both"}, actor=admin
        )


def test_earlier_merges_point_at_the_new_survivor(in_tenant, admin):
    first = CustomerFactory(name="Acme 1")
    second = CustomerFactory(name="Acme 2")
    third = CustomerFactory(name="Acme 3")
    merge_customers(survivor=second, duplicate=first, actor=admin)
    merge_customers(survivor=third, duplicate=second, actor=admin)
    assert Customer.objects.get(pk=first.pk).merged_into_id == third.pk


def test_the_duplicates_tags_join_the_survivors(pair, admin):
    from fields.models import Tag

    survivor, duplicate = pair
    vip = Tag.objects.create(name="VIP", slug="vip")
    eu = Tag.objects.create(name="EU", slug="eu")
    survivor.tags.add(vip)
    duplicate.tags.add(vip, eu)
    result = merge_customers(survivor=survivor, duplicate=duplicate, actor=admin)
    assert set(survivor.tags.all()) == {vip, eu}
    assert result.moved["tags"] == 1
