"""Contracts in the console as the account team uses them: the list and its filters, a
contract's page (renewal dates, the block's drawdown, the signed copy), the forms, the
customer's Contracts tab and overview value, the dashboard's renewals, and time logged from
a ticket's page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from contracts.models import Contract
from documents.models import Document
from tests.factories import CustomerFactory
from tickets import services as tickets
from tickets.models import TimeEntry

from .conftest import make_contract

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def form(customer, **fields):
    data = {
        "customer": customer.pk,
        "name": "Managed services 2027",
        "kind": "block",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "renewal_months": "12",
        "notice_days": "60",
        "reminder_days": "30",
        "value": "12000",
        "billing_frequency": "monthly",
        "hours_included": "40",
        "overage_rate": "95",
    }
    return {**data, **fields}


def test_staff_add_a_contract_from_the_customers_tab_and_see_its_renewal_dates(client_as, company):
    client = client_as(StaffRole.STAFF)
    tab = client.get(reverse("customers:customer_contracts", args=[company.pk]))
    assert tab.status_code == 200 and "Add a contract" in tab.content.decode()
    response = client.post(reverse("contracts:contract_create"), form(company))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "Block of hours" in page and "Notice by" in page and "Nov 1, 2027" in page
    assert "0 min" in page and "40 h left" in page
    tab = client.get(reverse("customers:customer_contracts", args=[company.pk])).content.decode()
    assert "Managed services 2027" in tab
    # The edit form names it as its page does: reference, name and whose it is.
    edit = client.get(reverse("contracts:contract_update", args=[contract.pk])).content.decode()
    assert f"Edit {contract.reference} · Managed services 2027 ({company})" in edit
    assert f'<a href="{contract.get_absolute_url()}">{contract.reference}</a>' in edit
    # Whether it renews is a word in the list, not a symbol only.
    from contracts.tables import ContractTable

    renews = ContractTable(Contract.objects.all()).rows[0].get_cell("auto_renew")
    assert ">Yes<" in renews or ">No<" in renews


def test_bad_terms_come_back_on_the_form_and_nothing_is_saved(client_as, company):
    client = client_as(StaffRole.STAFF)
    response = client.post(
        reverse("contracts:contract_create"),
        form(company, hours_included="", end_date="2026-01-01"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "says how many hours it includes" in html and "The end comes after the start" in html
    assert not Contract.objects.exists()


def test_the_list_filters_by_state_and_search(client_as, manager, company):
    today = timezone.localdate()
    due = make_contract(
        manager,
        company,
        name="Due soon",
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=20),
    )
    old = make_contract(
        manager, company, name="Long gone", start_date=date(2024, 1, 1), end_date=date(2024, 12, 31)
    )
    client = client_as(StaffRole.VIEWER)
    url = reverse("contracts:contract_list")
    html = client.get(url + "?state=renewal_due").content.decode()
    assert due.name in html and old.name not in html
    html = client.get(url + f"?q=C-{old.pk}").content.decode()
    assert old.name in html and due.name not in html
    html = client.get(url + "?q=globex").content.decode()
    assert old.name in html and due.name in html  # both are Globex's


def test_renewals_due_and_recent_expiries_are_on_the_dashboard(client_as, manager, company):
    today = timezone.localdate()
    make_contract(
        manager,
        company,
        name="Due soon",
        start_date=today - timedelta(days=300),
        end_date=today + timedelta(days=20),
    )
    make_contract(
        manager,
        company,
        name="Just ended",
        start_date=today - timedelta(days=300),
        end_date=today - timedelta(days=3),
    )
    response = client_as(StaffRole.STAFF).get(reverse("core:dashboard"))
    items = {item.key: item for item in response.context["attention"]}
    assert items["contracts_renewal_due"].count == 1
    assert items["contracts_expired"].count == 1
    listed = client_as(StaffRole.STAFF).get(items["contracts_expired"].url).content.decode()
    assert "Just ended" in listed and "Due soon" not in listed


def test_the_overview_counts_running_contracts_in_the_customers_value(client_as, manager, company):
    today = timezone.localdate()
    make_contract(
        manager,
        company,
        value="5000",
        start_date=today - timedelta(days=10),
        end_date=today + timedelta(days=300),
    )
    html = client_as(StaffRole.VIEWER).get(company.get_absolute_url()).content.decode()
    assert "running contracts" in html and "5,000.00" in html


def test_a_signed_copy_becomes_a_customer_document_and_a_new_upload_a_version(client_as, company):
    client = client_as(StaffRole.STAFF)
    contract = make_contract(client.user, company)
    url = reverse("contracts:contract_signed", args=[contract.pk])
    for _ in range(2):
        response = client.post(
            url, {"file": SimpleUploadedFile("signed.pdf", PDF, "application/pdf")}
        )
        assert response.status_code == 302
    document = Document.objects.get()
    assert document.customer == company and document.versions.count() == 2
    contract.refresh_from_db()
    assert contract.signed_document == document
    refused = client.post(
        url, {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00", "application/x-msdownload")}
    )
    assert refused.status_code == 400 and Document.objects.get().versions.count() == 2


def test_only_managers_terminate_and_a_reason_is_required(client_as, company):
    staff = client_as(StaffRole.STAFF)
    contract = make_contract(staff.user, company)
    url = reverse("contracts:contract_terminate", args=[contract.pk])
    assert staff.post(url, {"reason": "No"}).status_code == 403
    admin = client_as(StaffRole.ADMIN)
    assert admin.post(url, {"reason": ""}).status_code == 400
    assert admin.post(url, {"reason": "Customer moves in-house"}).status_code == 302
    contract.refresh_from_db()
    assert contract.terminated_on == contract.end_date and not contract.auto_renew


def test_time_is_logged_and_removed_from_a_tickets_page(client_as, company):
    client = client_as(StaffRole.STAFF)
    ticket = tickets.ticket_open(
        actor=client.user,
        customer_id=company.pk,
        subject="Slow Wi-Fi",
        description="x",
        requester_email="it@globex.example",
    )
    url = reverse("tickets:ticket_log_time", args=[ticket.pk])
    assert client.post(url, {"spent": "1h30", "note": "Survey"}).status_code == 302
    assert client.post(url, {"spent": "soon"}).status_code == 400
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "Time spent: 1 h 30 min" in page and "Survey" in page
    entry = TimeEntry.objects.get()
    other = client_as(StaffRole.STAFF)
    delete = reverse("tickets:time_entry_delete", args=[ticket.pk, entry.pk])
    assert other.post(delete).status_code == 403
    assert client.post(delete).status_code == 302 and not TimeEntry.objects.exists()


def test_the_list_a_contracts_page_and_the_customers_tab_keep_their_query_counts(
    client_as, manager, company, django_assert_max_num_queries
):
    client = client_as(StaffRole.STAFF)
    contract = make_contract(manager, company, kind="block", hours_included="10")
    urls = [
        reverse("contracts:contract_list"),
        contract.get_absolute_url(),
        reverse("customers:customer_contracts", args=[company.pk]),
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            assert client.get(url).status_code == 200
        counts[url] = len(few.captured_queries)
    for n in range(8):
        make_contract(manager, CustomerFactory(), name=f"More {n}")
        make_contract(manager, company, name=f"Also {n}", kind="block", hours_included="5")
    for url in urls:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
