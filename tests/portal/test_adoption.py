"""Feature adoption: every portal page a company's user opens counts for its section, once
per user and day (more visits raise the count, not the rows), and the analytics pages show
which features each company and the tenant's customers used."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from portal.adoption import record_use
from portal.models import PortalUsage
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_portal_pages_count_uses_of_their_section_per_user_and_day(portal_client, in_tenant):
    company = CustomerFactory(name="Adopters Inc")
    client = portal_client(company)
    for _ in range(3):
        assert client.get(reverse("portal:tickets", args=[company.pk])).status_code == 200
    assert client.get(reverse("portal:overview", args=[company.pk])).status_code == 200
    rows = {
        (u.feature, u.uses) for u in PortalUsage.objects.filter(customer=company, user=client.user)
    }
    assert rows == {("tickets", 3), ("overview", 1)}
    # A refused page is not a use.
    other = CustomerFactory()
    assert client.get(reverse("portal:tickets", args=[other.pk])).status_code == 404
    assert not PortalUsage.objects.filter(customer=other).exists()


def test_the_customers_analytics_tab_and_the_tenant_page_show_adoption_and_support(
    client_as, portal_client, in_tenant
):
    company = CustomerFactory(name="Adopters Inc")
    quiet = CustomerFactory(name="Quiet Ltd")
    user = portal_client(company).user
    today = timezone.localdate()
    record_use(company_id=company.pk, user_id=user.pk, feature="tickets")
    record_use(company_id=company.pk, user_id=user.pk, feature="billing")
    record_use(company_id=company.pk, user_id=user.pk, feature="billing", day=today - timedelta(1))
    quiet_user = portal_client(quiet).user
    record_use(company_id=quiet.pk, user_id=quiet_user.pk, feature="billing")
    staff = client_as(StaffRole.VIEWER)
    tab = staff.get(reverse("customers:customer_analytics", args=[company.pk]))
    assert tab.status_code == 200
    (adoption,) = [s["f"] for s in tab.context["sections"] if s["key"] == "adoption"]
    used = {row["key"]: row for row in adoption["features"]}
    assert set(used) == {"tickets", "billing"} and used["billing"]["uses"] in (1, 2)
    assert "Support tickets" in tab.content.decode() and "Overview" in adoption["unused"]
    page = staff.get(reverse("billing:analytics"))
    (overall,) = [s["f"] for s in page.context["sections"] if s["key"] == "adoption"]
    billing = next(row for row in overall["features"] if row["key"] == "billing")
    assert (billing["companies"], billing["share"]) == (2, 100)
    tickets = next(row for row in overall["features"] if row["key"] == "tickets")
    assert (tickets["companies"], tickets["share"]) == (1, 50)
    assert "Satisfaction (CSAT)" in page.content.decode()


def test_unknown_features_are_not_recorded(in_tenant):
    company = CustomerFactory()
    record_use(company_id=company.pk, user_id=1, feature="nonsense", day=date(2026, 1, 1))
    assert not PortalUsage.objects.exists()


def test_erasing_a_person_deletes_their_portal_usage(portal_client, in_tenant):
    from privacy.services import person_erase
    from tests.factories import UserFactory

    company = CustomerFactory()
    user = portal_client(company).user
    record_use(company_id=company.pk, user_id=user.pk, feature="billing")
    owner = UserFactory(role=StaffRole.OWNER)
    person_erase(email=user.email, reason="Request of 2026-12-01", actor=owner)
    assert not PortalUsage.objects.filter(user=user).exists()
