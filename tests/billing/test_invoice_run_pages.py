"""The invoice run page: a preview first, then a run whose issuing and emailing are explicit
choices, its progress and summary, and a draft run issued in one step."""

import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import StaffRole
from billing.models import BillingProfile, Invoice, InvoiceRun
from billing.services.invoice_runs import invoice_run, invoice_run_start
from tests.factories import CustomerFactory, subscribe

from .conftest import MONTH


def runs_url():
    return reverse("billing:invoice_runs")


@pytest.fixture
def agency(plan, subscribed):
    agency = CustomerFactory(name="Agency", billing_email="ap@agency.example")
    BillingProfile.objects.create(customer=agency, consolidated_billing=True)
    subscribe(agency, plan, start_date=date(2026, 1, 1))
    subscribe(CustomerFactory(name="Client A", parent=agency), plan, start_date=date(2026, 1, 1))
    no_mail = CustomerFactory(name="No Mail Ltd", company_email="", contact_email="")
    subscribe(no_mail, plan, start_date=date(2026, 1, 1))
    return agency


def test_the_preview_tells_what_a_run_would_do_and_writes_nothing(client_as, agency):
    admin = client_as(StaffRole.ADMIN)
    page = admin.get(runs_url(), {"month": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'data-preview="invoices">3<', html)  # Acme, the agency (with A), No Mail
    assert re.search(r'data-preview="emails">2<', html)
    assert "No Mail Ltd — no billing email" in html
    assert 'data-preview="total-USD">' in html
    assert not InvoiceRun.objects.exists() and not Invoice.objects.exists()
    # Issuing and emailing are choices, neither pre-ticked.
    for name in ("issue", "notify"):
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert "checked" not in tag


def test_a_preview_of_a_month_not_over_says_so(client_as, agency):
    admin = client_as(StaffRole.ADMIN)
    this_month = date.today().strftime("%Y-%m")
    page = admin.get(runs_url(), {"month": this_month})
    assert page.status_code == 200
    assert "not over yet" in page.content.decode()
    assert not InvoiceRun.objects.exists()


def test_running_without_emailing_issues_and_sends_nothing(
    client_as, agency, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(runs_url(), {"month": "2026-03", "issue": "on"})
    run = InvoiceRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("billing:invoice_run_detail", args=[run.pk])
    assert Invoice.objects.filter(status="issued").count() == 3
    assert mail.outbox == []
    page = admin.get(response["Location"]).content.decode()
    assert re.search(r'data-summary="created">3<', page)
    assert re.search(r'data-summary="emails">0<', page)


def test_running_with_emailing_mails_those_with_a_billing_email(
    client_as, agency, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(runs_url(), {"month": "2026-03", "issue": "on", "notify": "on"})
    assert sorted(m.to[0] for m in mail.outbox) == ["ap@agency.example", "billing@acme.example"]
    run = InvoiceRun.objects.get()
    assert (run.created_count, run.email_count) == (3, 2)
    assert ["No Mail Ltd", "no billing email: issued but not emailed"] in run.skipped


@pytest.mark.parametrize(
    "data, message",
    [
        ({"month": "2026-03", "notify": "on"}, "Only issued invoices are emailed"),
        ({"month": date.today().strftime("%Y-%m"), "issue": "on"}, "not over yet"),
        ({"month": "2026-13", "issue": "on"}, "Enter a month"),
    ],
)
def test_a_run_that_cannot_be_done_is_refused_with_a_message(client_as, agency, data, message):
    admin = client_as(StaffRole.ADMIN)
    response = admin.post(runs_url(), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not InvoiceRun.objects.exists() and not Invoice.objects.exists()


def test_a_viewer_sees_runs_but_cannot_preview_or_run(client_as, agency):
    viewer = client_as(StaffRole.VIEWER)
    page = viewer.get(runs_url(), {"month": "2026-03"})
    assert page.status_code == 200 and b"data-preview" not in page.content
    assert viewer.post(runs_url(), {"month": "2026-03", "issue": "on"}).status_code == 403
    assert not InvoiceRun.objects.exists()


def test_progress_polls_while_running_and_reloads_when_done(client_as, agency):
    admin = client_as(StaffRole.ADMIN)
    run = invoice_run_start(month=MONTH, actor=None, issue=True, notify=False)
    status = reverse("billing:invoice_run_status", args=[run.pk])
    running = admin.get(status)
    assert (
        b'hx-trigger="every 1s"' in running.content and b"Waiting for the worker" in running.content
    )
    invoice_run(month=MONTH, actor=None, notify=False, run=run)
    done = admin.get(status, {"was": "running"})
    assert done["HX-Refresh"] == "true" and b"hx-get" not in done.content
    assert b"Done: 3 invoices issued" in done.content


def test_a_draft_run_is_issued_as_reviewed_in_one_step(
    client_as, agency, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(runs_url(), {"month": "2026-03"})
    draft_run = InvoiceRun.objects.get()
    assert set(Invoice.objects.values_list("status", flat=True)) == {"draft"}
    page = admin.get(reverse("billing:invoice_run_detail", args=[draft_run.pk]))
    assert b"Issue 3 drafts" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(reverse("billing:invoice_run_issue", args=[draft_run.pk]))
    issuing = InvoiceRun.objects.exclude(pk=draft_run.pk).get()
    assert response["Location"] == reverse("billing:invoice_run_detail", args=[issuing.pk])
    assert issuing.drafts_issued_count == 3 and issuing.created_count == 0
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "INV-000001",
        "INV-000002",
        "INV-000003",
    ]
    assert mail.outbox == []  # emailing was not chosen
    again = admin.post(reverse("billing:invoice_run_issue", args=[draft_run.pk]))
    assert again.status_code == 302 and InvoiceRun.objects.count() == 2


def test_the_preview_counts_a_billing_contacts_address_as_emailed(client_as, agency):
    from customers import services_contacts
    from customers.models_contacts import BILLING, ContactRole

    no_mail = agency.__class__.objects.get(name="No Mail Ltd")
    services_contacts.contact_create(
        customer=no_mail,
        actor=None,
        name="Pat Payable",
        email="ap@nomail.example",
        roles=[ContactRole.objects.get(key=BILLING)],
    )
    html = client_as(StaffRole.ADMIN).get(runs_url(), {"month": "2026-03"}).content.decode()
    assert re.search(r'data-preview="emails">3<', html)
    assert "No Mail Ltd — no billing email" not in html
