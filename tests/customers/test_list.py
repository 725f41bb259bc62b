import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import StaffRole

pytestmark = pytest.mark.django_db
LIST = "/customers/"


@pytest.fixture
def viewer(client_as):
    return client_as(StaffRole.VIEWER)


def listed(response) -> list[str]:
    return [row.record.name for row in response.context["table"].page.object_list]


def test_default_list_hides_archived_and_deleted(viewer, make_customer):
    make_customer(name="Live One")
    make_customer(name="Shelved", is_archived=True)
    from django.utils import timezone

    make_customer(name="Gone", deleted_at=timezone.now())
    response = viewer.get(LIST)
    assert listed(response) == ["Live One"]
    assert listed(viewer.get(LIST, {"archived": "only"})) == ["Shelved"]
    assert set(listed(viewer.get(LIST, {"archived": "include"}))) == {"Live One", "Shelved"}
    # Only admins may ask for deleted customers; for others the filter does not exist.
    assert listed(viewer.get(LIST, {"deleted": "only"})) == ["Live One"]


def test_admin_sees_deleted_under_the_deleted_filter(client_as, make_customer):
    from django.utils import timezone

    make_customer(name="Gone", deleted_at=timezone.now())
    admin = client_as(StaffRole.ADMIN)
    response = admin.get(LIST, {"deleted": "only"})
    assert listed(response) == ["Gone"]
    assert b"Deleted</span>" in response.content


def test_type_cards_count_each_type_and_filter_the_list(viewer, make_customer):
    make_customer(name="Big Co", business_type="enterprise")
    make_customer(name="Small Co", business_type="smb")
    make_customer(name="Old Big Co", business_type="enterprise", is_archived=True)
    response = viewer.get(LIST, {"business_type": "enterprise"})
    cards = {card["label"]: card for card in response.context["type_cards"]}
    assert cards["All customers"]["count"] == 2
    assert cards["Enterprise"]["count"] == 1 and cards["Enterprise"]["active"]
    assert not cards["SMB"]["active"]
    assert listed(response) == ["Big Co"]
    assert 'aria-current="true"' in response.content.decode()


def test_columns_badges_and_safe_website_links(viewer, make_customer):
    make_customer(name="Acme", status="prospect", website="https://acme.example/path")
    content = viewer.get(LIST).content.decode()
    for header in ["Customer Name", "Industry", "Business Type", "Website", "Status"]:
        assert header in content
    assert 'class="badge text-bg-primary">Prospect' in content
    assert (
        'href="https://acme.example/path" target="_blank" rel="noopener noreferrer nofollow"'
        in content
    )


@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"per_page": "many"},
        {"per_page": "1000000"},
        {"sort": "password"},
        {"sort": "-nonexistent"},
        {"business_type": "emperor"},
        {"status": "<script>"},
        {"country": "XX"},
        {"archived": "maybe"},
        {"parent_id": "abc"},
        {"q": "x" * 5000},
        {"q": "%_\\'\""},
        {"industry": "' OR 1=1 --"},
    ],
)
def test_bad_query_parameters_never_break_the_page(viewer, make_customer, params):
    make_customer(name="Still Here")
    response = viewer.get(LIST, params)
    assert response.status_code == 200


def test_invalid_filter_values_are_reported_and_ignored(viewer, make_customer):
    make_customer(name="Still Here")
    response = viewer.get(LIST, {"business_type": "emperor"})
    assert listed(response) == ["Still Here"]
    assert "Some filters were ignored" in response.content.decode()


def test_sorting_by_a_column(viewer, make_customer):
    make_customer(name="B", industry="Zoology")
    make_customer(name="A", industry="Aviation")
    assert listed(viewer.get(LIST, {"sort": "-name"})) == ["B", "A"]
    assert listed(viewer.get(LIST, {"sort": "industry"})) == ["A", "B"]


def test_page_size_cannot_be_made_huge(viewer, make_customer):
    for index in range(30):
        make_customer(name=f"Co {index:02d}")
    assert len(listed(viewer.get(LIST, {"per_page": "1000000"}))) == 25


def test_page_size_choice(viewer, make_customer):
    for index in range(12):
        make_customer(name=f"Co {index:02d}")
    response = viewer.get(LIST, {"per_page": "10"})
    assert len(listed(response)) == 10
    assert response.context["table"].page.paginator.num_pages == 2


def test_htmx_search_returns_only_the_results(viewer, make_customer):
    make_customer(name="Acme Corporation")
    make_customer(name="Globex")
    response = viewer.get(
        LIST, {"q": "acme corp"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    content = response.content.decode()
    assert "<html" not in content
    assert "Acme Corporation" in content and "Globex" not in content


def test_empty_state_helps(viewer):
    content = viewer.get(LIST, {"q": "nothing like this"}).content.decode()
    assert "Nothing matches" in content
    assert "Clear search and filters" in content


def test_list_query_count_does_not_grow_with_rows(viewer, make_customer):
    make_customer(name="First Co")
    make_customer(name="Second Co", is_archived=True)
    with CaptureQueriesContext(connection) as small:
        viewer.get(LIST, {"q": "co"})
    for index in range(20):
        make_customer(name=f"Company {index}", parent=None)
    with CaptureQueriesContext(connection) as large:
        response = viewer.get(LIST, {"q": "co"})
    assert len(listed(response)) == 21
    assert len(large) == len(small)


def test_list_query_budget(viewer, make_customer, django_assert_max_num_queries):
    for index in range(30):
        make_customer(name=f"Company {index}")
    # 12: the user's columns and saved views for the list are one query (core.list_prefs).
    # 15: custom fields (fields app): the definitions, the tags offered by the filter, and the
    # page's tags, one query each whatever the page size.
    with django_assert_max_num_queries(15):
        viewer.get(LIST)


def test_csv_export_is_exactly_the_filtered_rows_with_formulas_neutralised(viewer, make_customer):
    make_customer(name='=HYPERLINK("http://evil")', industry="+cmd", business_type="enterprise")
    make_customer(name="<b>Bold</b> & Co", industry="@risk", business_type="enterprise")
    make_customer(name="Not Enterprise", business_type="smb")
    response = viewer.get(LIST, {"business_type": "enterprise", "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(
        csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff")))
    )
    assert rows[0] == [
        "Customer Name",
        "Industry",
        "Business Type",
        "Website",
        "Status",
        "Locations",
        "Assets on location",
        "Assets owned",
    ]
    names = sorted(row[0] for row in rows[1:])
    assert names == ['\'=HYPERLINK("http://evil")', "<b>Bold</b> & Co"]
    assert {row[1] for row in rows[1:]} == {"'+cmd", "'@risk"}


def test_markup_in_names_is_shown_as_text(viewer, make_customer):
    customer = make_customer(name="<script>alert('x')</script>")
    for url in [
        LIST,
        reverse("customers:customer_detail", args=[customer.pk]),
        reverse("customers:customer_history", args=[customer.pk]),
    ]:
        content = viewer.get(url).content.decode()
        assert "<script>alert('x')</script>" not in content
        assert "&lt;script&gt;" in content


def test_deleted_filter_includes_customers_that_were_archived_first(client_as, make_customer):
    from django.utils import timezone

    make_customer(name="Archived Then Deleted", is_archived=True, deleted_at=timezone.now())
    admin = client_as(StaffRole.ADMIN)
    assert listed(admin.get(LIST, {"deleted": "only"})) == ["Archived Then Deleted"]


def test_record_links_are_not_boosted_into_the_results_area(viewer, make_customer):
    make_customer(name="Acme")
    assert 'hx-boost="false"' in viewer.get(LIST).content.decode().split("<tbody", 1)[1][:40]


def test_broad_searches_count_up_to_a_cap(viewer, make_customer, monkeypatch):
    from core.generic import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 5)
    for index in range(8):
        make_customer(name=f"Common Name {index}")
    response = viewer.get(LIST, {"q": "common"})
    assert "More than 5 results" in response.content.decode()
    assert "8 results" in viewer.get(LIST).content.decode()


@pytest.mark.parametrize(
    "tab", ["customer_detail", "customer_subaccounts", "customer_linked", "customer_history"]
)
def test_customer_tabs_run_a_constant_number_of_queries(viewer, make_customer, tab):
    from customers.models import LinkedAccount

    parent = make_customer(name="Parent")
    make_customer(name="First Child", parent=parent)
    LinkedAccount.objects.create(
        customer=parent, provider="GCP", kind="account", external_id="first"
    )
    url = reverse(f"customers:{tab}", args=[parent.pk])
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(url).status_code == 200
    for index in range(15):
        make_customer(name=f"Child {index}", parent=parent)
        LinkedAccount.objects.create(
            customer=parent, provider="AWS", kind="account", external_id=str(index)
        )
    with CaptureQueriesContext(connection) as large:
        viewer.get(url)
    assert len(large) == len(small) <= 24  # the history tab: one query per app that adds to it


def test_xlsx_export_is_the_filtered_rows_with_formulas_neutralised(viewer, make_customer):
    import io

    from openpyxl import load_workbook

    make_customer(name="=cmd|' /C calc'!A0", business_type="enterprise")
    make_customer(name="Plain Enterprise", business_type="enterprise")
    make_customer(name="Not Exported", business_type="smb")
    response = viewer.get(LIST, {"business_type": "enterprise", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Customer Name", "Industry")
    assert sorted(row[0] for row in rows[1:]) == ["'=cmd|' /C calc'!A0", "Plain Enterprise"]
    assert all(isinstance(row[5], int) for row in rows[1:])  # counts stay numbers


def test_xlsx_export_drops_control_characters_a_worksheet_cannot_hold(viewer, make_customer):
    """A vertical tab or an escape character pasted into a name is valid text, but openpyxl
    refuses it in a cell: the export leaves it out instead of failing (found while fuzzing)."""
    import io

    from openpyxl import load_workbook

    make_customer(name="Tab\x0bbed \x1b[31mCo\x01")
    response = viewer.get(LIST, {"export": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Tabbed [31mCo"]


def test_exports_read_the_database_in_chunks(viewer, make_customer, django_assert_max_num_queries):
    for index in range(5):
        make_customer(name=f"Co {index}")
    # 13: one capped count decides whether the file streams or goes to the background.
    with django_assert_max_num_queries(13):
        response = viewer.get(LIST, {"export": "csv"})
        body = b"".join(response.streaming_content).decode()
    assert body.count("\n") == 6


def test_type_cards_follow_the_search_also_when_it_runs_live(viewer, make_customer):
    make_customer(name="Harbor Freight", business_type="enterprise")
    make_customer(name="Harbor Cafe", business_type="smb")
    make_customer(name="Inland Mills", business_type="enterprise")
    response = viewer.get(LIST, {"q": "harbor"})
    cards = {card["label"]: card for card in response.context["type_cards"]}
    assert cards["All customers"]["count"] == 2
    assert cards["Enterprise"]["count"] == 1 and cards["SMB"]["count"] == 1
    # A card keeps the search and adds its type.
    assert cards["Enterprise"]["url"] == f"{LIST}?q=harbor&business_type=enterprise"
    assert cards["All customers"]["url"] == f"{LIST}?q=harbor"
    # The live search (htmx) replaces the cards with the results, out of band.
    live = viewer.get(LIST, {"q": "inland"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
    html = live.content.decode()
    assert 'id="type-cards"' in html and 'hx-swap-oob="true"' in html
    cards = {card["label"]: card for card in live.context["type_cards"]}
    assert cards["All customers"]["count"] == 1 and cards["SMB"]["count"] == 0


def test_type_cards_go_uncounted_when_a_filter_matches_more_than_the_cap(
    viewer, make_customer, monkeypatch
):
    """Grouping every match of a broad filter by type cost more than the page (custom-field
    filters read each matching row's JSON): past the list's count cap, the cards say so."""
    from core.generic import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    for index in range(5):
        make_customer(name=f"Common {index}", business_type="smb")
    make_customer(name="Rare one", business_type="enterprise")
    cards = {c["label"]: c for c in viewer.get(LIST, {"q": "common"}).context["type_cards"]}
    assert cards["All customers"]["more_than"] == "3+" and cards["SMB"]["count"] is None
    narrow = {c["label"]: c for c in viewer.get(LIST, {"q": "rare"}).context["type_cards"]}
    assert narrow["All customers"]["count"] == 1 and narrow["Enterprise"]["count"] == 1
    unfiltered = {c["label"]: c for c in viewer.get(LIST).context["type_cards"]}
    assert unfiltered["All customers"]["count"] == 6 and unfiltered["SMB"]["count"] == 5
