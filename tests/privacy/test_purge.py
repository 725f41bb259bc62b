"""Purging a customer erases its personal data from history and sign-in records in the same
transaction; the history rows stay (dates, change types), issued invoices keep their
recipient, and no other customer or tenant is touched."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from accounts.models import SignInEvent, User
from billing.models import Invoice
from customers import services
from customers.models import Contact, Customer
from locations.models import Location
from portal.models import Membership
from tests.factories import CustomerFactory, UserFactory

from .helpers import make_purgeable_company, scan_schema

PURGED_TRACES = [
    "petra.nolander@purged.example",
    "Petra Nolander",
    "4155550144",
    "portal0@purged.example",
    "Portalsen1",
    "jona.joiner@purged.example",
    "PurgedAgent",
    "198.51.100.23",
]


@pytest.fixture
def owner(in_tenant):
    return UserFactory(role="owner")


def test_purge_erases_the_customers_and_its_users_history_and_keeps_the_rows(owner):
    made = make_purgeable_company(owner)
    company, users = made["company"], made["users"]
    history = Customer.history.model.objects.filter(id=company.pk)
    before = list(history.order_by("history_id").values_list("history_type", "history_date"))
    user_history = User.history.model.objects.filter(id__in=[u.pk for u in users])
    user_rows = user_history.count()
    location_rows = Location.history.model.objects.filter(customer_id=company.pk).count()

    counts = services.customer_purge(customer_id=company.pk, actor=owner)

    after = list(history.order_by("history_id").values_list("history_type", "history_date"))
    assert after[: len(before)] == before and after[-1][0] == "-"  # kept, and the purge itself
    contact_history = Contact.history.model.objects.filter(customer_id=company.pk)
    assert contact_history.count() >= 2  # the primary and the billing contact
    for row in contact_history.values("name", "email", "phone"):
        assert set(map(str, row.values())) == {""}, row
    assert set(history.values_list("internal_notes", flat=True)) == {""}
    assert history.filter(name=company.name).count() == len(after)  # the company's name stays
    assert user_history.count() == user_rows + len(users)  # deleted with the company
    assert set(user_history.values_list("first_name", "last_name")) == {("", "")}
    assert all(e.endswith("@erased.invalid") for e in user_history.values_list("email", flat=True))
    assert Location.history.model.objects.filter(customer_id=company.pk).count() > location_rows
    assert set(
        Location.history.model.objects.filter(customer_id=company.pk).values_list(
            "notes", flat=True
        )
    ) == {""}
    events = SignInEvent.objects.filter(user_agent="", ip_address__isnull=True, email="")
    assert events.count() == len(users)  # the sign-ins stay, without who, where and how
    assert counts["customers.HistoricalCustomer"] >= len(before)
    assert not scan_schema(PURGED_TRACES)


def test_issued_invoices_keep_their_recipient_drafts_lose_it(owner):
    made = make_purgeable_company(owner)
    services.customer_purge(customer_id=made["company"].pk, actor=owner)
    issued = Invoice.objects.get(pk=made["issued"].pk)
    draft = Invoice.objects.get(pk=made["draft"].pk)
    assert issued.billing_email == "bruno.kalvik@purged.example"
    assert "Bruno Kalvik" in issued.billing_address
    assert (draft.billing_email, draft.billing_address) == ("", "")
    hits = scan_schema(["bruno.kalvik@purged.example", "Bruno Kalvik"])
    assert hits == [
        "billing_historicalinvoice.billing_address",
        "billing_historicalinvoice.billing_email",
        "billing_invoice.billing_address",
        "billing_invoice.billing_email",
    ]


def test_other_customers_and_tenants_are_untouched(owner, other_tenant, tenant):
    neighbour = CustomerFactory(contact_name="Nina Neighbour", contact_email="nina@live.example")
    made = make_purgeable_company(owner)
    connection.set_tenant(other_tenant)
    twin = CustomerFactory(
        contact_name="Petra Nolander", contact_email="petra.nolander@purged.example"
    )
    connection.set_tenant(tenant)

    services.customer_purge(customer_id=made["company"].pk, actor=owner)

    assert list(neighbour.contacts.values_list("name", "email")) == [
        ("Nina Neighbour", "nina@live.example")
    ]
    assert Contact.history.model.objects.filter(
        customer_id=neighbour.pk, name="Nina Neighbour"
    ).exists()
    assert scan_schema(["nina@live.example"])  # still there
    connection.set_tenant(other_tenant)
    assert twin.contacts.get().email == "petra.nolander@purged.example"
    assert "customers_historicalcontact.email" in scan_schema(["petra.nolander@purged.example"])
    connection.set_tenant(tenant)


def test_a_purge_with_thousands_of_history_rows_is_set_based(owner, capsys):
    made = make_purgeable_company(owner)
    company = made["company"]
    HistoricalCustomer = Customer.history.model
    template = HistoricalCustomer.objects.filter(id=company.pk).order_by("-history_id").first()
    copies = []
    for i in range(2000):
        template.pk = None
        template.history_change_reason = f"Bulk edit {i} by petra.nolander@purged.example"
        copies.append(
            HistoricalCustomer(
                **{
                    f.attname: getattr(template, f.attname)
                    for f in HistoricalCustomer._meta.concrete_fields
                    if f.attname != "history_id"
                }
            )
        )
    HistoricalCustomer.objects.bulk_create(copies)
    assert HistoricalCustomer.objects.filter(id=company.pk).count() > 2000

    started = time.perf_counter()
    counts = services.customer_purge(customer_id=company.pk, actor=owner)
    elapsed = time.perf_counter() - started

    with capsys.disabled():
        print(f"\npurge of a customer with 2,000+ history rows: {elapsed:.2f}s, {counts}")
    assert counts["customers.HistoricalCustomer"] > 2000
    assert not Contact.history.model.objects.filter(
        customer_id=company.pk, email__contains="@"
    ).exists()
    assert not HistoricalCustomer.objects.filter(history_change_reason__contains="petra").exists()
    assert Membership.objects.filter(customer_id=company.pk).count() == 0
    assert elapsed < 20


def test_a_purge_replaces_full_names_as_words_only(owner):
    """A one-word contact ("Sales") or a name inside a longer word stays in other records."""
    from core.services import save_with_history
    from tests.factories import LocationFactory

    made = make_purgeable_company(owner)
    Contact.objects.filter(customer=made["company"], roles__key="primary").update(name="Sales")
    site = LocationFactory(notes="Sales team; ask Joann Petra Nolanderson, not Petra Nolander")
    save_with_history(site, actor=owner, reason="Sales notes")

    services.customer_purge(customer_id=made["company"].pk, actor=owner)

    site.refresh_from_db()
    assert site.notes == "Sales team; ask Joann Petra Nolanderson, not [erased]"
    assert site.history.latest().history_change_reason == "Sales notes"
