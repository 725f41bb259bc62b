"""The duplicate check also looks at contacts' emails (an address any contact has, or the
same company domain), and the wizard's first step asks for it while the name is typed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from customers.services import likely_duplicates
from customers.services_contacts import contact_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_contacts_email_finds_the_customer(in_tenant):
    acme = CustomerFactory(name="Acme Corporation", company_email="")
    contact_create(customer=acme, actor=None, name="Ada", email="Ada.Lovelace@gmail.com")
    found = likely_duplicates(name="Totally Different", emails=("ada.lovelace@gmail.com",))
    assert found == [acme] and found[0].same_contact
    # A webmail address matches only itself, never its domain.
    assert likely_duplicates(name="Totally Different", emails=("bob@gmail.com",)) == []


def test_a_contacts_company_domain_and_other_emails_find_the_customer(in_tenant):
    acme = CustomerFactory(name="Acme Corporation", company_email="")
    contact_create(
        customer=acme, actor=None, name="Ada", email="", other_emails="ada@acme-widgets.example"
    )
    assert likely_duplicates(name="Widgets", emails=("sales@acme-widgets.example",)) == [acme]


def test_deleted_customers_and_other_scopes_are_not_named(in_tenant, make_user):
    from customers.access import staff_customer_access_set

    acme = CustomerFactory(name="Acme Corporation")
    contact_create(customer=acme, actor=None, name="Ada", email="ada@acme-widgets.example")
    limited = make_user(StaffRole.STAFF)
    mine = CustomerFactory(name="Mine")
    staff_customer_access_set(
        member=limited,
        access="assigned",
        teams=[],
        customers=[mine],
        actor=make_user(StaffRole.OWNER),
    )
    from core.scope import scope_for

    emails = ("x@acme-widgets.example",)
    assert likely_duplicates(name="Zed", emails=emails, scope=scope_for(limited)) == []


def test_the_live_check_lists_matches_as_the_name_is_typed(client_as):
    staff = client_as(StaffRole.STAFF)
    CustomerFactory(name="Orbital Freight Ltd")
    url = reverse("customers:customer_duplicates")
    page = staff.get(url, {"company-name": "Orbital Freight"}).content.decode()
    assert "Already a customer?" in page and "Orbital Freight Ltd" in page
    assert "Merge with" not in page  # staff do not merge
    admin = client_as(StaffRole.ADMIN)
    assert "Merge with" in admin.get(url, {"name": "Orbital Freight"}).content.decode()
    quiet = staff.get(url, {"company-name": "Zyxwv Qqq"}).content.decode()
    assert "No similar customer found." in quiet
    assert staff.get(url).content.decode().strip() == ""


def test_the_wizards_first_step_asks_while_typing(client_as):
    page = client_as(StaffRole.STAFF).get(reverse("customers:customer_create")).content.decode()
    assert reverse("customers:customer_duplicates") in page
    assert 'hx-trigger="load, input changed delay:400ms from:#id_company-name' in page


def test_viewers_cannot_use_the_check(client_as):
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.get(reverse("customers:customer_duplicates"), {"name": "A"}).status_code == 403


def test_the_api_runs_the_same_check_before_a_create(api_as):
    acme = CustomerFactory(name="Acme Corporation", company_email="")
    contact_create(customer=acme, actor=None, name="Ada", email="ada@acme-widgets.example")
    CustomerFactory(name="Unrelated Bakery")
    staff = api_as(StaffRole.STAFF)
    url = "/api/v1/customers/duplicates/"
    response = staff.get(url, {"name": "Widgets Inc", "email": ["sales@acme-widgets.example"]})
    assert response.status_code == 200, response.content
    [found] = response.json()
    assert found["id"] == acme.pk and found["name"] == "Acme Corporation"
    assert found["merge_page"].endswith(f"/customers/{acme.pk}/merge/")
    assert staff.get(url, {"name": "Zzzz Nothing Alike"}).json() == []
    # Bad input is a 400 naming the field; a viewer does not add customers.
    assert staff.get(url, {"email": ["x@y.example"] * 11}).status_code == 400
    assert api_as(StaffRole.VIEWER).get(url, {"name": "Acme"}).status_code == 403
