"""Credit note numbers stay gap-free and unique when many are issued at once, some refused,
on the real PostgreSQL with threads of their own connections (issue #15)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing.models import CreditNote, CreditNoteLine, CreditNoteSequence, Invoice
from billing.services.credit_notes import credit_note_create
from billing.services.invoicing import invoice_run
from tests.factories import CustomerFactory, PlanFactory, subscribe

from .conftest import MONTH, in_threads


@pytest.fixture
def committed_credit(committed):
    """``committed`` (real commits, threads with their own connections), and the credit
    notes and credit entries removed before its own clean-up."""
    from billing.models import CustomerCredit

    yield committed
    for model in (CreditNoteLine, CreditNote, CustomerCredit):
        if hasattr(model, "history"):
            model.history.all().delete()
        model.objects.all().delete()
    CreditNoteSequence.objects.all().delete()


def test_concurrent_credit_notes_get_gap_free_numbers_without_duplicates(committed_credit):
    from django.db import close_old_connections

    plan = PlanFactory(name="Credit plan", monthly_fee="100.00")
    for index in range(6):
        subscribe(CustomerFactory(name=f"Credited {index}"), plan, start_date=date(2026, 1, 1))
    invoice_run(month=MONTH, actor=None)
    invoice_ids = list(Invoice.objects.values_list("pk", flat=True))
    assert len(invoice_ids) == 6
    assert all(80 < total < 120 for total in Invoice.objects.values_list("total", flat=True))

    def job(invoice_id, amount):
        def run():
            try:
                return credit_note_create(
                    invoice_id=invoice_id, reason="Race", actor=None, amount=amount, notify=False
                ).number
            except ValidationError:
                return None  # above the balance by then: refused, its number handed back
            finally:
                close_old_connections()

        return run

    # Three 40.00 credits on each invoice (under 120.00): two fit, the third is refused.
    jobs = [job(pk, "40.00") for pk in invoice_ids for _ in range(3)]
    numbers = [n for n in in_threads(committed_credit, jobs, timeout=120) if n]
    assert len(numbers) == 12
    assert sorted(numbers) == [f"CN-{n:06d}" for n in range(1, 13)]
    assert sorted(CreditNote.objects.values_list("number", flat=True)) == sorted(numbers)
    assert CreditNoteSequence.objects.get(pk=1).next_number == 13
    for invoice in Invoice.objects.all():
        assert invoice.balance == invoice.total - Decimal("80.00")
