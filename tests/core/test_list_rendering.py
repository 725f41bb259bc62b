"""Lists render their rows in Python (core.tables.render_rows): the same table HTML as
django-tables2's own bootstrap5 template (cells, links, badges, classes, each column's th/td
attrs), plus a data-label naming its column on every cell, with each column resolved once
per table rather than once per cell."""

import re
from datetime import date

import django_tables2 as tables
import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_tables2 import Table

from accounts.models import StaffRole
from core.tables import ConsoleTable, render_rows
from customers.models import Customer
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    InvoiceFactory,
    LocationFactory,
    PaymentFactory,
    PlanFactory,
    ProjectFactory,
    SubscriptionFactory,
)

pytestmark = pytest.mark.django_db
ORIGINAL = "django_tables2/bootstrap5-responsive.html"


def table_html(content: bytes) -> str:
    html = content.decode()
    tables_found = re.findall(r"<table.*?</table>", html, flags=re.S)
    assert tables_found, "no table on the page"
    return "\n".join(tables_found)


def normalised(html: str, *, drop_labels: bool) -> str:
    if drop_labels:
        html = re.sub(r' data-label="[^"]*"', "", html)
    html = re.sub(r">\s+<", "><", html)
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s+>", ">", html).strip()


@pytest.fixture
def records(in_tenant):
    """Rows that exercise every kind of cell: links, badges, defaults, choices, dates,
    money, archived and deleted flags, empty relations."""
    acme = CustomerFactory(name="Acme <&> Co", website="", industry="", status="prospect")
    CustomerFactory(name="Shelved", is_archived=True)
    CustomerFactory(name="Gone", deleted_at=timezone.now())
    site = LocationFactory(customer=acme, name="HQ", city="", country="DE")
    LocationFactory(customer=acme, name="Depot", is_archived=True)
    AssetFactory(location=site)
    AssetFactory(location=None, owner=None, serial_number="")
    AssetFactory(location=site, owner=CustomerFactory(name="Elsewhere"))
    invoice = InvoiceFactory(customer=acme, total=1234567)
    InvoiceFactory(
        customer=acme,
        status="draft",
        number=None,
        issue_date=None,
        due_date=None,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
    )
    PaymentFactory(invoice=invoice, amount=12)
    ProjectFactory(customer=acme)
    SubscriptionFactory(customer=acme, plan=PlanFactory())
    return acme


@pytest.mark.parametrize(
    "url",
    [
        "/customers/",
        "/customers/?sort=-name&archived=include",
        "/customers/?deleted=only",
        "/locations/",
        "/locations/?sort=customer",
        "/assets/",
        "/billing/invoices/",
        "/billing/projects/",
        "/billing/subscriptions/",
        "/billing/plans/",
    ],
)
def test_rows_are_the_html_django_tables2_renders(client_as, records, monkeypatch, url):
    admin = client_as(StaffRole.ADMIN)
    fast = admin.get(url)
    assert fast.status_code == 200
    monkeypatch.setattr(Table, "template_name", property(lambda self: ORIGINAL, lambda s, v: 0))
    slow = admin.get(url)
    fast_html, slow_html = table_html(fast.content), table_html(slow.content)
    assert "data-label=" in fast_html and "data-label=" not in slow_html
    assert normalised(fast_html, drop_labels=True) == normalised(slow_html, drop_labels=False)


def test_customer_pages_and_portal_tables_match_too(client_as, portal_client, records):
    """The tables inside record pages (a customer's locations) and the portal's lists."""
    admin = client_as(StaffRole.ADMIN)
    portal = portal_client(records)
    pages = [
        (admin, f"/customers/{records.pk}/locations/"),
        (portal, f"/portal/c/{records.pk}/locations/"),
        (portal, f"/portal/c/{records.pk}/assets/"),
    ]
    for client, url in pages:
        fast = client.get(url)
        assert fast.status_code == 200, url
        assert "data-label=" in table_html(fast.content), url


def test_every_cell_names_its_column(client_as, records):
    html = table_html(client_as(StaffRole.VIEWER).get("/customers/").content)
    header = re.search(r"<thead.*?</thead>", html, flags=re.S).group(0)
    row = re.search(r"<tbody.*?<tr[^>]*>(.*?)</tr>", html, flags=re.S).group(1)
    labels = re.findall(r'<td[^>]*data-label="([^"]*)"', row)
    assert labels[:5] == ["Customer Name", "Industry", "Business Type", "Website", "Status"]
    assert labels[-1] == "Actions"
    assert len(labels) == header.count("<th ")
    assert len(labels) == row.count("<td")


class PriorityTable(ConsoleTable):
    """Columns the way the apps declare priority classes, static and computed per row."""

    edit_url_name = "customers:customer_update"

    name = tables.Column(attrs={"td": {"class": "priority-1"}, "th": {"class": "priority-1"}})
    industry = tables.Column(
        default="—",
        attrs={"td": {"class": lambda record: "priority-3 " + record.status}},
    )
    created_at = tables.DateColumn(format="Y-m-d")
    business_type = tables.Column(localize=False)
    country = tables.Column(linkify=lambda record: f"/c/{record.pk}/")

    class Meta:
        model = Customer
        fields = ("name", "industry", "business_type", "country", "created_at")
        row_attrs = {"data-id": lambda record: record.pk}

    def render_name(self, value, record, bound_row, table):
        return f"{value} #{bound_row.row_counter} {table.can_edit} <b>"


def render_both(records: list) -> tuple[str, str]:
    request = RequestFactory().get("/")
    fast_table = PriorityTable(records, can_edit=True)
    slow_table = PriorityTable(records, can_edit=True)
    fast = fast_table.as_html(request)
    slow_table.template_name = ORIGINAL
    return fast, slow_table.as_html(request)


def test_column_attrs_computed_per_row_are_honoured(in_tenant):
    CustomerFactory(name="A&B", status="prospect", industry="")
    CustomerFactory(name="C", status="active", country="FR")
    records = list(Customer.objects.order_by("name"))
    fast, slow = render_both(records)
    assert normalised(fast, drop_labels=True) == normalised(slow, drop_labels=False)
    assert 'class="priority-3 prospect" data-label="Industry">—' in fast
    assert "A&amp;B #0 True &lt;b&gt;" in fast
    assert 'data-id="' in fast and 'href="/c/' in fast


def test_columns_are_resolved_once_per_table_not_per_cell(in_tenant, monkeypatch):
    import core.tables

    calls = []
    real = core.tables.signature
    monkeypatch.setattr(core.tables, "signature", lambda fn: calls.append(fn) or real(fn))
    for index in range(30):
        CustomerFactory(name=f"Row {index:02d}", created_at=date(2026, 1, 1))
    table = PriorityTable(list(Customer.objects.order_by("name")[:2]), can_edit=False)
    render_rows(table)
    two_rows = len(calls)
    calls.clear()
    table = PriorityTable(list(Customer.objects.order_by("name")), can_edit=False)
    render_rows(table)
    assert len(calls) == two_rows == len(table.columns)


def test_an_empty_table_shows_its_empty_text():
    table = PriorityTable([], can_edit=False, empty_text="Nothing here.")
    html = table.as_html(RequestFactory().get("/"))
    assert '<td colspan="6">Nothing here.</td>' in html


HTMX_RESULTS = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


@pytest.mark.parametrize("url", ["/customers/", "/billing/invoices/"])
def test_the_live_search_partial_runs_fewer_queries_than_the_full_page(client_as, records, url):
    """The partial is the results (and the customer list's type cards), not the page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin = client_as(StaffRole.ADMIN)
    admin.get(url, {"q": "a"})
    with CaptureQueriesContext(connection) as full:
        page = admin.get(url, {"q": "a"})
    with CaptureQueriesContext(connection) as partial:
        results = admin.get(url, {"q": "a"}, **HTMX_RESULTS)
    assert len(partial) < len(full)
    assert table_html(results.content) == table_html(page.content)
    assert "<html" not in results.content.decode()
    if url == "/customers/":
        # The type cards follow the search (counted once, sent out of band); the quick-add
        # form stays as it is.
        assert "quick_add_form" not in results.context
        assert 'id="type-cards"' in results.content.decode()
        counts = [
            q
            for q in partial.captured_queries
            if "business_type" in q["sql"] and "GROUP BY" in q["sql"]
        ]
        assert len(counts) == 1


def test_cell_helpers_escape_as_format_html_does():
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from core.tables import badge, link

    hostile = "<script>alert(\"x\")</script> & 'q'"
    assert badge("text-bg-primary", hostile) == format_html(
        '<span class="badge {}">{}</span>', "text-bg-primary", hostile
    )
    assert link(f"/x/?a=1&b={hostile}", hostile) == format_html(
        '<a href="{}">{}</a>', f"/x/?a=1&b={hostile}", hostile
    )
    assert link("/y/", mark_safe("<b>kept</b>")) == '<a href="/y/"><b>kept</b></a>'
