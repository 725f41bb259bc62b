from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from customers.models import Customer, LinkedAccount

pytestmark = pytest.mark.django_db


def listed(client, **params) -> list[str]:
    response = client.get("/customers/", params)
    return [row.record.name for row in response.context["table"].page.object_list]


@pytest.fixture
def admin(client_as):
    return client_as(StaffRole.ADMIN)


def test_archive_hides_from_list_and_dropdown_but_name_search_finds_it(admin, make_customer):
    customer = make_customer(name="Shelved Industries")
    make_customer(name="Shelf Life Co")
    assert admin.post(reverse("customers:customer_archive", args=[customer.pk])).status_code == 302
    customer.refresh_from_db()
    assert customer.is_archived

    assert "Shelved Industries" not in listed(admin)
    assert listed(admin, archived="only") == ["Shelved Industries"]

    dropdown = reverse("customers:customer_autocomplete")
    assert "Shelved Industries" not in admin.get(dropdown).content.decode()
    found = admin.get(dropdown, {"autocomplete_q": "shelved"}).content.decode()
    assert "Shelved Industries" in found and "Archived" in found

    admin.post(reverse("customers:customer_unarchive", args=[customer.pk]))
    customer.refresh_from_db()
    assert not customer.is_archived
    reasons = list(
        customer.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[-2:] == ["Archived", "Unarchived"]


def test_delete_confirms_hides_everywhere_and_restores(admin, make_customer):
    customer = make_customer(name="Doomed Ltd")
    confirm = admin.get(reverse("customers:customer_delete", args=[customer.pk])).content.decode()
    assert "30 days" in confirm and "never deleted with it" in confirm
    assert admin.post(reverse("customers:customer_delete", args=[customer.pk])).status_code == 302
    customer.refresh_from_db()
    assert customer.deleted_at is not None and customer.deleted_by == admin.user
    assert "Doomed Ltd" not in listed(admin)
    assert (
        "Doomed Ltd"
        not in admin.get(
            reverse("customers:customer_autocomplete"), {"q": "doomed"}
        ).content.decode()
    )
    # Admins can still open it (to restore it); everyone else gets a 404.
    assert admin.get(customer.get_absolute_url()).status_code == 200
    assert admin.post(reverse("customers:customer_restore", args=[customer.pk])).status_code == 302
    customer.refresh_from_db()
    assert customer.deleted_at is None


def test_deleted_customer_is_404_for_staff(client_as, make_customer):
    customer = make_customer(name="Doomed", deleted_at=timezone.now())
    staff = client_as(StaffRole.STAFF)
    assert staff.get(customer.get_absolute_url()).status_code == 404
    assert staff.get(reverse("customers:customer_update", args=[customer.pk])).status_code == 404


def test_purge_keeps_linked_accounts_and_sub_accounts_unlinked(admin, make_customer):
    parent = make_customer(name="Parent Co")
    child = make_customer(name="Child Co", parent=parent)
    account = LinkedAccount.objects.create(
        customer=parent, provider="AWS", kind="organization", external_id="o-123"
    )
    admin.post(reverse("customers:customer_delete", args=[parent.pk]))
    assert admin.post(reverse("customers:customer_purge", args=[parent.pk])).status_code == 302
    assert not Customer.objects.filter(pk=parent.pk).exists()
    account.refresh_from_db()
    child.refresh_from_db()
    assert account.customer_id is None and child.parent_id is None


def test_purge_refuses_a_customer_that_is_not_deleted(admin, make_customer):
    customer = make_customer(name="Alive")
    response = admin.post(reverse("customers:customer_purge", args=[customer.pk]), follow=True)
    assert "Only a deleted customer can be purged" in response.content.decode()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_scheduled_purge_respects_the_grace_period(tenant, make_customer):
    old = make_customer(name="Long Gone", deleted_at=timezone.now() - timedelta(days=31))
    recent = make_customer(name="Just Gone", deleted_at=timezone.now() - timedelta(days=29))
    call_command("purge_deleted", "--tenant", "alpha")
    from django.db import connection

    connection.set_tenant(tenant)
    assert not Customer.objects.filter(pk=old.pk).exists()
    assert Customer.objects.filter(pk=recent.pk).exists()


@pytest.mark.parametrize("role", [StaffRole.STAFF, StaffRole.VIEWER])
@pytest.mark.parametrize("action", ["customer_archive", "customer_delete"])
def test_only_admins_archive_and_delete(client_as, make_customer, role, action):
    customer = make_customer(name="Protected")
    client = client_as(role)
    assert client.post(reverse(f"customers:{action}", args=[customer.pk])).status_code == 403
    customer.refresh_from_db()
    assert not customer.is_archived and customer.deleted_at is None


def test_linked_accounts_can_be_added_and_unlinked(client_as, make_customer):
    staff = client_as(StaffRole.STAFF)
    customer = make_customer(name="Cloudy")
    url = reverse("customers:customer_linked", args=[customer.pk])
    staff.post(
        url, {"provider": "AWS", "kind": "organization", "external_id": "o-abc", "name": "Prod"}
    )
    account = LinkedAccount.objects.get()
    assert account.customer == customer
    other = make_customer(name="Other")
    response = staff.post(
        reverse("customers:customer_linked", args=[other.pk]),
        {"provider": "aws", "kind": "organization", "external_id": "O-ABC"},
    )
    assert "already linked to another customer" in response.content.decode()
    staff.post(reverse("customers:linked_account_unlink", args=[customer.pk, account.pk]))
    account.refresh_from_db()
    assert account.customer is None
