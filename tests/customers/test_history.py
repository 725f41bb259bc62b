import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole
from customers import services
from fields.models import CustomField

pytestmark = pytest.mark.django_db


def edit(customer, actor, **data):
    current = type(customer).objects.get(pk=customer.pk)
    return services.customer_update(
        customer_id=customer.pk, data=data, expected_version=current.version, actor=actor
    )


def test_history_tab_shows_who_when_and_before_after(client_as, make_customer, make_user):
    customer = services.customer_create(actor=None, name="Acme", status="prospect", country="US")
    editor = make_user(role=StaffRole.STAFF, first_name="Eve", last_name="Editor")
    CustomField.objects.create(object_kind="customer", key="tier", label="Tier", field_type="text")
    edit(customer, editor, status="active", country="GB", custom_field_data={"tier": "Gold"})
    viewer = client_as(StaffRole.VIEWER)
    content = viewer.get(reverse("customers:customer_history", args=[customer.pk])).content.decode()
    assert content.index("Edited") < content.index("Created")
    assert "Eve Editor" in content
    assert "<del>Prospect</del>" in content and "<ins>Active</ins>" in content
    assert (
        "<del>United States of America</del>" in content and "<ins>United Kingdom</ins>" in content
    )
    assert "<tr><td>Tier</td><td><del>—</del></td><td><ins>Gold</ins></td></tr>" in content
    assert "Restore fields" not in content  # viewers cannot restore


def test_history_with_many_versions_is_paginated_in_constant_queries(client_as, make_customer):
    customer = services.customer_create(actor=None, name="Busy")
    viewer = client_as(StaffRole.VIEWER)
    url = reverse("customers:customer_history", args=[customer.pk])
    with CaptureQueriesContext(connection) as few:
        viewer.get(url)
    for index in range(60):
        edit(customer, None, industry=f"Industry {index}")
    with CaptureQueriesContext(connection) as many:
        response = viewer.get(url, {"page": 2})
    assert len(many) == len(few)
    assert "Page 2 of 3" in response.content.decode()


def test_admin_restores_chosen_fields_from_an_earlier_version(client_as, make_customer):
    customer = services.customer_create(actor=None, name="Acme", industry="Retail", city="Paris")
    edit(customer, None, industry="Finance", city="Berlin")
    first = customer.history.order_by("history_id").first()
    admin = client_as(StaffRole.ADMIN)
    url = reverse("customers:customer_restore_fields", args=[customer.pk, first.history_id])
    page = admin.get(url).content.decode()
    assert "Retail" in page and "Finance" in page
    response = admin.post(url, {"fields": ["industry"]})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert (customer.industry, customer.city) == ("Retail", "Berlin")
    latest = customer.history.order_by("-history_id").first()
    assert latest.history_change_reason.startswith("Restored Industry from")
    assert latest.history_user == admin.user


def test_restore_refuses_unknown_fields_and_other_customers_versions(client_as, make_customer):
    customer = services.customer_create(actor=None, name="Acme", industry="Retail")
    other = services.customer_create(actor=None, name="Other")
    admin = client_as(StaffRole.ADMIN)
    record = customer.history.get()
    url = reverse("customers:customer_restore_fields", args=[customer.pk, record.history_id])
    edit(customer, None, industry="Finance")
    assert admin.post(url, {"fields": ["version"]}).status_code == 200
    assert admin.post(url, {"fields": ["password"]}).status_code == 200
    wrong = reverse("customers:customer_restore_fields", args=[other.pk, record.history_id])
    assert admin.get(wrong).status_code == 404
    customer.refresh_from_db()
    assert customer.industry == "Finance"


def test_staff_cannot_restore_fields(client_as):
    customer = services.customer_create(actor=None, name="Acme")
    staff = client_as(StaffRole.STAFF)
    record = customer.history.get()
    url = reverse("customers:customer_restore_fields", args=[customer.pk, record.history_id])
    assert staff.post(url, {"fields": ["name"]}).status_code == 403
