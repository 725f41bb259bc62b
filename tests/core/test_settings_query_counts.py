"""Settings pages added for billing and privacy keep a constant number of queries however
many rows they show: tax rates, the dunning pages and the owner's personal-data look-up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from billing.models import DunningNotice, TaxRate
from tests.factories import CustomerFactory, InvoiceFactory

from .test_detail_query_counts import flat

pytestmark = pytest.mark.django_db
COUNTRIES = ["DE", "FR", "NL", "BE", "AT", "IT", "ES", "PT", "DK", "SE"]


def test_the_tax_rate_page_is_flat_in_rates(client_as):
    admin = client_as(StaffRole.ADMIN)
    TaxRate.objects.create(name="VAT", rate=Decimal("20"), country="GB")

    def grow():
        for index, country in enumerate(COUNTRIES):
            TaxRate.objects.create(name=f"VAT {index}", rate=Decimal("19.5"), country=country)

    small, large = flat(admin, reverse("billing:tax_rates"), grow)
    assert small == large <= 14


def test_the_dunning_pages_are_flat_in_invoices_and_notices(client_as):
    admin = client_as(StaffRole.ADMIN)
    company = CustomerFactory(name="Late Payer Ltd")
    today = timezone.localdate()

    def overdue(index):
        period = date(2020 + index, 1, 1)
        invoice = InvoiceFactory(
            customer=company,
            number=f"INV-Q-{index}",
            period_start=period,
            period_end=period.replace(day=31),
            total=Decimal("100.00"),
            due_date=today - timedelta(days=40),
            issue_date=today - timedelta(days=60),
        )
        DunningNotice.objects.create(invoice=invoice, stage="overdue", sent_to="ap@late.example")

    overdue(0)

    def grow():
        for index in range(1, 11):
            overdue(index)

    small, large = flat(admin, reverse("billing:customer_dunning", args=[company.pk]), grow)
    assert small == large <= 16
    small, large = flat(admin, reverse("billing:dunning"), lambda: None)
    assert small == large <= 14


def test_the_personal_data_look_up_is_flat_in_what_is_held(client_as):
    from tests.privacy.helpers import make_alicia

    owner = client_as(StaffRole.OWNER)
    alicia, _ = make_alicia()
    url = reverse("core:personal_data")

    def look_up():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = owner.post(url, {"email": alicia.email})
        assert response.status_code == 200 and "Erase this person" in response.content.decode()
        return len(queries)

    small = look_up()
    for index in range(10):
        CustomerFactory(name=f"Alicia's firm {index}", contact_email=alicia.email)
    assert look_up() == small
