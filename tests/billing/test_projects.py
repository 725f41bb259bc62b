from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import Project
from tests.factories import CustomerFactory, LocationFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_status_is_derived_from_dates(in_tenant):
    today = timezone.localdate()
    assert ProjectFactory(start_date=today + timedelta(days=3)).status == "upcoming"
    assert ProjectFactory(start_date=today - timedelta(days=3)).status == "active"
    assert (
        ProjectFactory(
            start_date=today - timedelta(days=30), end_date=today - timedelta(days=1)
        ).status
        == "past"
    )
    assert ProjectFactory(start_date=today, is_cancelled=True).status == "cancelled"
    statuses = dict(Project.objects.with_status().values_list("name", "status_code"))
    assert sorted(statuses.values()) == ["active", "cancelled", "past", "upcoming"]


def test_create_a_project_with_sites(client_as):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    staff.post(
        reverse("billing:project_create"),
        {
            "customer": customer.pk,
            "name": "Rollout",
            "start_date": "2026-01-01",
            "monthly_fee": "500",
            "contract_value": "6000",
        },
    )
    project = Project.objects.get()
    response = staff.post(
        reverse("billing:project_update", args=[project.pk]),
        {
            "customer": customer.pk,
            "name": "Rollout",
            "start_date": "2026-01-01",
            "monthly_fee": "500",
            "contract_value": "6000",
            "locations": [site.pk],
        },
    )
    assert response.status_code == 302
    assert list(project.locations.all()) == [site]
    assert project.customer_name == customer.name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": "2025-12-31"}, "cannot be before the start date"),
        ({"monthly_fee": "-1"}, "greater than or equal"),
        ({"start_date": "soon"}, "valid date"),
        ({"customer": ""}, "Choose a customer"),
    ],
)
def test_bad_project_input_changes_nothing(client_as, changes, message):
    staff = client_as(StaffRole.STAFF)
    customer = CustomerFactory()
    data = {
        "customer": customer.pk,
        "name": "Bad",
        "start_date": "2026-01-01",
        "monthly_fee": "1",
        "contract_value": "1",
    }
    data.update(changes)
    response = staff.post(reverse("billing:project_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_sites_of_another_customer_are_refused(client_as):
    staff = client_as(StaffRole.STAFF)
    project = ProjectFactory(start_date=date(2026, 1, 1))
    foreign = LocationFactory()
    response = staff.post(
        reverse("billing:project_update", args=[project.pk]),
        {
            "customer": project.customer_id,
            "name": project.name,
            "start_date": "2026-01-01",
            "monthly_fee": "1",
            "contract_value": "1",
            "locations": [foreign.pk],
        },
    )
    assert response.status_code == 200
    assert not project.locations.exists()


def test_project_list_filters_by_derived_status(client_as):
    viewer = client_as(StaffRole.VIEWER)
    today = timezone.localdate()
    ProjectFactory(name="Soon", start_date=today + timedelta(days=5))
    ProjectFactory(name="Now", start_date=today - timedelta(days=5))
    response = viewer.get(reverse("billing:project_list"), {"status": "upcoming"})
    assert [row.record.name for row in response.context["table"].page.object_list] == ["Soon"]


def test_every_filter_has_a_readable_label(client_as):
    viewer = client_as(StaffRole.VIEWER)
    for url in ("/customers/", "/locations/", "/assets/", reverse("billing:project_list")):
        assert "[invalid name]" not in viewer.get(url).content.decode(), url
