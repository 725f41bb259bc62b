"""Gap-free invoice numbers when many invoices are issued at once, on the real PostgreSQL."""

from datetime import date

from billing.models import BillingSettings, Invoice
from billing.services.invoicing import invoice_issue, invoice_run
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH, in_threads


def test_numbers_stay_gap_free_when_many_are_issued_at_once(committed):
    plan = PlanFactory(name="Concurrent plan")
    for index in range(12):
        subscribe(CustomerFactory(name=f"Concurrent {index}"), plan, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None, issue=False)
    draft_ids = list(Invoice.objects.values_list("pk", flat=True))
    in_threads(
        committed,
        [lambda pk=pk: invoice_issue(invoice_id=pk, actor=None) for pk in draft_ids],
        timeout=60,
    )
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, 13)]
    assert BillingSettings.objects.get(pk=1).next_invoice_number == 13
