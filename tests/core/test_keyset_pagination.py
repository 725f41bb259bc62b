"""Deep pages of a list are keyset (seek) pages: past the numbered first pages, Next and
Previous carry a cursor naming the row to start after, the SQL has no OFFSET, rows that tie
on the sort key are neither repeated nor lost, and a forged or stale cursor is the first
page, never an error."""

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import StaffRole
from core.pagination import NUMBERED_PAGES, Cursor
from customers.models import Customer
from tests.factories import CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db
LIST = "/customers/"
PER_PAGE = 10


@pytest.fixture
def viewer(client_as):
    return client_as(StaffRole.VIEWER)


def names(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


def link(response, rel: str) -> dict | None:
    """The query of the page's Next or Previous link."""
    match = re.search(rf'href="([^"]*)"[^>]*rel="{rel}"', response.content.decode())
    if match is None:
        return None
    query = parse_qs(urlsplit(unescape(match.group(1))).query)
    return {key: values[0] for key, values in query.items()}


def many_customers(count: int, **fields) -> None:
    Customer.objects.bulk_create(
        [CustomerFactory.build(name=f"Customer {index:04d}", **fields) for index in range(count)]
    )


def walk(client, params: dict, *, pages: int) -> list:
    """Follow Next links from page 1; the responses in order."""
    responses = [client.get(LIST, {**params, "per_page": PER_PAGE})]
    for _ in range(pages - 1):
        following = link(responses[-1], "next")
        if following is None:
            break
        responses.append(client.get(LIST, following))
    return responses


def test_next_links_walk_every_row_once_past_the_numbered_pages(viewer, in_tenant):
    # Every customer ties on industry: the primary key alone keeps the order total.
    many_customers(PER_PAGE * (NUMBERED_PAGES + 3) + 4, industry="Same")
    responses = walk(viewer, {"sort": "industry"}, pages=NUMBERED_PAGES + 10)
    seen = [name for response in responses for name in names(response)]
    assert len(seen) == len(set(seen)) == Customer.objects.count()
    assert len(responses) == NUMBERED_PAGES + 4
    deep = responses[NUMBERED_PAGES + 1]
    assert "cursor" in link(responses[NUMBERED_PAGES], "next")
    assert deep.context["table"].page.number == NUMBERED_PAGES + 2
    assert 'aria-current="page">12<' in deep.content.decode().replace(" ", "")
    assert link(responses[-1], "next") is None


def test_previous_links_come_back_the_same_way(viewer, in_tenant):
    many_customers(PER_PAGE * (NUMBERED_PAGES + 4))
    responses = walk(viewer, {"sort": "-name"}, pages=NUMBERED_PAGES + 4)
    back = viewer.get(LIST, link(responses[-1], "prev"))
    assert names(back) == names(responses[-2])
    assert "cursor" in link(responses[-1], "prev")
    # From the first keyset page, Previous is the last numbered page again, by number.
    first_keyset = responses[NUMBERED_PAGES]
    assert link(first_keyset, "prev") == {
        "sort": "-name",
        "per_page": str(PER_PAGE),
        "page": str(NUMBERED_PAGES),
    }


def test_a_deep_page_runs_no_offset_and_as_many_queries_as_page_one(viewer, in_tenant):
    many_customers(PER_PAGE * (NUMBERED_PAGES + 2))
    responses = walk(viewer, {"sort": "name"}, pages=NUMBERED_PAGES + 1)
    deep_query = link(responses[-1], "next")
    with CaptureQueriesContext(connection) as first:
        viewer.get(LIST, {"sort": "name", "per_page": PER_PAGE})
    with CaptureQueriesContext(connection) as deep:
        response = viewer.get(LIST, deep_query)
    assert response.status_code == 200 and names(response)
    assert len(deep) == len(first)
    page_sql = [q["sql"] for q in deep.captured_queries if "LIMIT 11" in q["sql"]]
    assert page_sql, "the page's own query"
    assert not any("OFFSET" in sql for sql in page_sql)
    assert re.search(r'\("customers_customer"\."name", "customers_customer"\."id"\) >', page_sql[0])


def test_the_seek_uses_the_index_on_the_sort_key(viewer, in_tenant):
    many_customers(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE customers_customer")
    queryset = Customer.objects.filter(deleted_at__isnull=True, is_archived=False).order_by(
        "name", "pk"
    )
    from core.pagination import Key, _after

    seek = queryset.filter(
        _after([Key("name", False, False), Key("pk", False, False)], ["Customer 0150", 1])
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = seek[:26].explain()
    # The seek is the index scan's start (an Index Cond), not a filter over skipped rows.
    condition = next(line for line in plan.splitlines() if "Index Cond" in line)
    assert "Index Scan" in plan and "ROW((name)::text, id) > ROW(" in condition, plan


def test_page_numbers_past_the_numbered_pages_stop_at_the_last_numbered_one(viewer, in_tenant):
    many_customers(PER_PAGE * (NUMBERED_PAGES + 5))
    response = viewer.get(LIST, {"sort": "name", "per_page": PER_PAGE, "page": 1000})
    assert response.status_code == 200
    assert response.context["table"].page.number == NUMBERED_PAGES
    assert names(response)[0] == f"Customer {PER_PAGE * (NUMBERED_PAGES - 1):04d}"


def test_last_link_shows_the_last_rows(viewer, in_tenant):
    many_customers(PER_PAGE * (NUMBERED_PAGES + 5) + 3)
    first = viewer.get(LIST, {"sort": "name", "per_page": PER_PAGE})
    match = re.search(r'href="([^"]*)" class="page-link">last', first.content.decode())
    query = parse_qs(urlsplit(unescape(match.group(1))).query)
    last = viewer.get(LIST, {key: values[0] for key, values in query.items()})
    assert names(last)[-1] == "Customer 0152"
    assert link(last, "next") is None and link(last, "prev") is not None


@pytest.mark.parametrize(
    "cursor",
    [
        "nonsense",
        Cursor("next", ["x"], 12, "name,pk").dumps(),  # a stale ordering
        Cursor("next", ["not a date", 1], 12, "-created_at,-pk").dumps(),
        Cursor("next", [1, 2, 3], 12, "name,pk").dumps(),
        Cursor("sideways", ["a", 1], 12, "name,pk").dumps(),
        "a" * 5000,
    ],
)
def test_a_bad_cursor_is_the_first_page(viewer, in_tenant, cursor):
    many_customers(15)
    response = viewer.get(LIST, {"sort": "name", "per_page": PER_PAGE, "cursor": cursor})
    assert response.status_code == 200
    assert names(response)[0] == "Customer 0000"


def test_a_cursor_for_another_sort_is_ignored(viewer, in_tenant):
    many_customers(PER_PAGE * (NUMBERED_PAGES + 2))
    responses = walk(viewer, {"sort": "name"}, pages=NUMBERED_PAGES + 1)
    query = {**link(responses[-1], "next"), "sort": "-name"}
    response = viewer.get(LIST, query)
    assert names(response)[0] == f"Customer {PER_PAGE * (NUMBERED_PAGES + 2) - 1:04d}"


def test_related_and_nullable_sort_keys_page_in_order(client_as, in_tenant):
    """Locations sorted by their customer's name: a key across a join."""
    admin = client_as(StaffRole.ADMIN)
    owners = [CustomerFactory(name=f"Owner {index}") for index in range(3)]
    for index in range(PER_PAGE * (NUMBERED_PAGES + 2)):
        LocationFactory(customer=owners[index % 3], name=f"Site {index:04d}")
    seen = []
    response = admin.get("/locations/", {"sort": "customer", "per_page": PER_PAGE})
    while True:
        seen += [
            (row.record.customer.name, row.record.name)
            for row in response.context["table"].page.object_list
        ]
        following = link(response, "next")
        if following is None:
            break
        response = admin.get("/locations/", following)
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen)) == PER_PAGE * (NUMBERED_PAGES + 2)
