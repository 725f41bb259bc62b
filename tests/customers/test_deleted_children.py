"""One rule for the records of a soft-deleted customer, applied by restrict(): they leave
every list, search, export and API result, and stay visible on the deleted customer's own page
to those who may restore it (admins and owners)."""

import pytest

from accounts.models import StaffRole
from core.scope import scope_for
from customers.services import customer_soft_delete
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    InvoiceFactory,
    LinkedAccountFactory,
    LocationFactory,
    MembershipFactory,
    PaymentFactory,
    ProjectFactory,
    SubscriptionFactory,
    UserFactory,
)

MARK = "Zebrafish"


@pytest.fixture
def gone(in_tenant):
    """A customer with one record of each kind, then soft-deleted; a live one beside it."""
    customer = CustomerFactory(name=f"{MARK} Deleted Co")
    live = CustomerFactory(name="Living Co")
    records = {
        "location": LocationFactory(customer=customer, name=f"{MARK} site"),
        "asset": AssetFactory(owner=customer, location=None, name=f"{MARK} laptop"),
        "hosted_asset": AssetFactory(owner=None, location=LocationFactory(customer=customer)),
        "project": ProjectFactory(customer=customer, name=f"{MARK} project"),
        "invoice": InvoiceFactory(customer=customer, customer_name=f"{MARK} Deleted Co"),
        "subscription": SubscriptionFactory(customer=customer),
        "linked_account": LinkedAccountFactory(customer=customer, name=f"{MARK} account"),
        "membership": MembershipFactory(customer=customer),
    }
    records["payment"] = PaymentFactory(invoice=records["invoice"], reference=f"{MARK}-pay")
    customer_soft_delete(customer_id=customer.pk, actor=UserFactory(role=StaffRole.ADMIN))
    return {"customer": customer, "live": live, **records}


@pytest.mark.parametrize(
    "key",
    [
        "location",
        "asset",
        "hosted_asset",
        "project",
        "invoice",
        "subscription",
        "linked_account",
        "membership",
        "payment",
    ],
)
def test_records_of_a_deleted_customer_leave_every_scope_but_the_restorers_own_page(gone, key):
    record = gone[key]
    model = type(record)
    for role in StaffRole.values:
        scope = scope_for(UserFactory(role=role))
        assert not model.objects.restrict(scope).filter(pk=record.pk).exists(), role
        on_its_page = model.objects.restrict(scope, include_deleted=True).filter(pk=record.pk)
        assert on_its_page.exists() == scope.may_see_deleted, role


def test_an_asset_a_live_customer_owns_stays_theirs_at_a_deleted_customers_site(gone):
    borrowed = AssetFactory(owner=gone["live"], location=gone["location"])
    scope = scope_for(UserFactory(role=StaffRole.STAFF))
    assert type(borrowed).objects.restrict(scope).filter(pk=borrowed.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?q=zebra",
        "/locations/?q=zebra",
        "/assets/?q=zebra",
        "/billing/projects/?q=zebra",
        "/billing/invoices/?q=zebra",
        "/billing/payments/",
        "/locations/?export=csv",
        "/assets/?export=csv",
        "/customers/autocomplete/?autocomplete_q=zebra",
        "/api/v1/locations/",
        "/api/v1/assets/",
        "/api/v1/projects/",
        "/api/v1/invoices/",
        "/api/v1/payments/",
        "/api/v1/linked-accounts/",
        "/api/v1/portal-users/",
    ],
)
def test_lists_searches_exports_and_the_api_agree(gone, client_as, url):
    client = client_as(StaffRole.OWNER)
    response = client.get(url)
    assert response.status_code == 200, url
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode("utf-8-sig")
    assert MARK not in body, url
