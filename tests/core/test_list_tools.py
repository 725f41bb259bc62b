"""Lists people work in: one "⋯" menu per row instead of repeated View/Edit buttons, pagination
below the scrolling box, a column chooser kept per user and list, and saved views (private or
shared with the team, one the user's default)."""

import re

import django_tables2 as tables
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ListPreference, SavedView, StaffRole
from core import list_prefs
from customers.tables import CustomerTable
from tests.conftest import host_of
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
LIST = "/customers/"
KEY = "customers.customer"


def headers(html: str) -> list[str]:
    """The visible column headers of the list's table, in order."""
    thead = re.search(r"<thead.*?</thead>", html, flags=re.S).group(0)
    cells = re.findall(r"<th[^>]*>(.*?)</th>", thead, flags=re.S)
    texts = [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]
    return [text for text in texts if text and text != "Actions"]


def test_each_row_has_one_action_menu_named_after_its_record(client_as, in_tenant):
    CustomerFactory(name="Acme Ltd")
    CustomerFactory(name="Globex")
    html = client_as(StaffRole.STAFF).get(LIST).content.decode()
    assert html.count('aria-label="Actions for Acme Ltd"') == 1
    assert html.count('aria-label="Actions for Globex"') == 1
    assert 'class="fw-semibold">Acme Ltd</a>' in html  # the name stays the link
    assert 'btn-outline-primary" href="/customers/' not in html  # no Edit button per row
    menu = re.search(r'aria-label="Actions for Acme Ltd">.*?</ul>', html, flags=re.S).group(0)
    assert ">View</a>" in menu and ">Edit</a>" in menu


def test_a_viewer_s_row_menu_offers_no_edit(client_as, in_tenant):
    CustomerFactory(name="Acme Ltd")
    html = client_as(StaffRole.VIEWER).get(LIST).content.decode()
    menu = re.search(r'aria-label="Actions for Acme Ltd">.*?</ul>', html, flags=re.S).group(0)
    assert ">View</a>" in menu and ">Edit</a>" not in menu


def test_pagination_sits_below_the_scrolling_box(client_as, in_tenant):
    for index in range(12):
        CustomerFactory(name=f"Customer {index:02d}")
    html = client_as(StaffRole.STAFF).get(LIST, {"per_page": 10}).content.decode()
    box = html.index('class="table-container table-responsive"')
    table_end = html.index("</table>", box)
    pages = html.index('aria-label="Pages"', box)
    closing = html.index("</div>", table_end)
    assert closing < pages  # the scrolling box closes before the page links


def test_chosen_columns_are_kept_per_user_in_their_order(client_as, in_tenant):
    CustomerFactory(name="Acme Ltd")
    client = client_as(StaffRole.STAFF)
    default = headers(client.get(LIST).content.decode())
    assert default[:3] == ["Customer Name", "Industry", "Business Type"]
    response = client.post(
        reverse("lists:columns", args=[KEY]),
        {"columns": ["status", "name", "no_such_column"], "next": LIST},
    )
    assert response.status_code == 302 and response["Location"] == LIST
    assert headers(client.get(LIST).content.decode()) == ["Status", "Customer Name"]
    assert ListPreference.objects.get(user=client.user, list_key=KEY).columns == [
        "status",
        "name",
    ]
    # Someone else's list is untouched.
    assert headers(client_as(StaffRole.STAFF).get(LIST).content.decode()) == default
    client.post(reverse("lists:columns", args=[KEY]), {"reset": "1", "columns": ["status"]})
    assert headers(client.get(LIST).content.decode()) == default


def test_the_chooser_offers_every_column_of_the_table_instance(client_as, in_tenant):
    """Columns made per request (count columns, custom fields) are choices like any other."""
    client = client_as(StaffRole.STAFF)
    html = client.get(LIST).content.decode()
    table = CustomerTable(
        [], extra_columns=[("cf_region", tables.Column(verbose_name="Region", empty_values=()))]
    )
    names = [name for name, _ in list_prefs.choosable_columns(table)]
    assert "cf_region" in names and "selection" not in names and "actions" not in names
    for name, _ in list_prefs.choosable_columns(CustomerTable([])):
        assert f'name="columns" value="{name}"' in html
    list_prefs.apply_columns(table, ["cf_region", "name"])
    visible = [column.name for column in table.columns if column.name != "actions"]
    assert visible == ["cf_region", "name"]


def test_choosing_no_known_column_is_refused(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    response = client.post(reverse("lists:columns", args=[KEY]), {"columns": ["nope"]})
    assert response.status_code == 302
    assert not ListPreference.objects.filter(user=client.user).exists()


def test_an_unknown_list_is_not_found(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    assert client.post(reverse("lists:columns", args=["nope.nope"]), {}).status_code == 404


def save_view(client, name, query, **extra):
    return client.post(
        reverse("lists:view_save", args=[KEY]), {"name": name, "query": query, **extra}
    )


def test_a_saved_view_reopens_its_filters_sort_and_columns(client_as, in_tenant):
    CustomerFactory(name="Prospect Co", status="prospect")
    CustomerFactory(name="Active Co", status="active")
    client = client_as(StaffRole.STAFF)
    client.post(reverse("lists:columns", args=[KEY]), {"columns": ["name", "status"]})
    response = save_view(client, " Prospects ", "status=prospect&sort=-name&page=3")
    view = SavedView.objects.get(owner=client.user)
    assert (view.name, view.query, view.columns) == (
        "Prospects",
        "status=prospect&sort=-name",
        ["name", "status"],
    )
    assert response["Location"] == f"{LIST}?status=prospect&sort=-name&view={view.pk}"
    client.post(reverse("lists:columns", args=[KEY]), {"reset": "1"})
    html = client.get(response["Location"]).content.decode()
    assert "Prospect Co" in html and "Active Co" not in html
    assert headers(html) == ["Customer Name", "Status"]
    assert "View: Prospects" in html


def test_private_views_stay_private_and_shared_ones_reach_the_team(client_as, in_tenant):
    author, colleague = client_as(StaffRole.STAFF), client_as(StaffRole.STAFF)
    save_view(author, "Mine only", "status=former")
    save_view(author, "For the team", "status=prospect", shared="1")
    colleague_html = colleague.get(LIST).content.decode()
    assert "For the team" in colleague_html and "Mine only" not in colleague_html
    mine = SavedView.objects.get(name="Mine only")
    shared = SavedView.objects.get(name="For the team")
    # Opening a private view by its id gives nothing of it.
    html = colleague.get(LIST, {"view": mine.pk}).content.decode()
    assert "View: Mine only" not in html
    # Only the author deletes; a colleague may not, even a shared one.
    assert colleague.post(reverse("lists:view_delete", args=[shared.pk])).status_code == 404
    assert colleague.post(reverse("lists:view_delete", args=[mine.pk])).status_code == 404
    assert SavedView.objects.count() == 2
    assert author.post(reverse("lists:view_delete", args=[shared.pk])).status_code == 302
    assert list(SavedView.objects.values_list("name", flat=True)) == ["Mine only"]


def test_saved_views_stay_in_their_tenant(client_as, in_tenant, other_tenant):
    author = client_as(StaffRole.OWNER)
    save_view(author, "Alpha shared", "status=prospect", shared="1")
    connection.set_tenant(other_tenant)
    from tests.factories import UserFactory

    beta_owner = UserFactory(role=StaffRole.OWNER)
    beta = Client(HTTP_HOST=host_of(other_tenant))
    beta.force_login(beta_owner)
    html = beta.get(LIST).content.decode()
    assert beta.get(LIST).status_code == 200
    assert "Alpha shared" not in html
    assert not SavedView.objects.exists()


def test_a_default_view_opens_with_the_list(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    save_view(client, "Prospects", "status=prospect", make_default="1")
    view = SavedView.objects.get()
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?status=prospect&view={view.pk}"
    assert client.get(LIST, {"view": "none"}).status_code == 200  # "All customers"
    client.post(reverse("lists:view_default", args=[view.pk]), {"unset": "1"})
    assert client.get(LIST).status_code == 200
    # A shared view may be someone else's default too.
    colleague = client_as(StaffRole.STAFF)
    view.shared = True
    view.save()
    colleague.post(reverse("lists:view_default", args=[view.pk]))
    assert colleague.get(LIST).status_code == 302


def test_an_empty_view_name_is_refused_and_nothing_saved(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    response = save_view(client, "   ", "status=prospect", next=LIST)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not SavedView.objects.exists()


def test_a_view_name_with_control_characters_is_refused(client_as, in_tenant):
    client = client_as(StaffRole.STAFF)
    save_view(client, "Mine\x1b[31m", "status=prospect", next=LIST)
    assert not SavedView.objects.exists()


@pytest.mark.parametrize(
    "wanted", ["2026-02-30", "customers", "//evil.example/", "https://evil.example/"]
)
def test_back_goes_only_to_a_path_of_this_site(client_as, in_tenant, wanted):
    client = client_as(StaffRole.STAFF)
    response = save_view(client, "", "status=prospect", next=wanted)
    assert response.status_code == 302 and response["Location"] == LIST


def test_every_registered_list_knows_its_own_address(client_as, in_tenant):
    """Each list's tools send people back to the list (its URL name may not follow the
    ``<app>:<model>_list`` pattern: then the view names it)."""
    client = client_as(StaffRole.OWNER)
    list_prefs.list_view_for(KEY)
    for key, view_class in list_prefs._lists.items():
        url = reverse(view_class.list_route_name())
        response = client.post(reverse("lists:columns", args=[key]), {"reset": "1"})
        assert response.status_code == 302 and response["Location"] == url, key


def test_the_list_s_queries_do_not_grow_with_its_rows_or_tools(client_as, in_tenant):
    """Chooser, views menu, row menus and row checkboxes add no per-row queries."""
    client = client_as(StaffRole.ADMIN)
    save_view(client, "Prospects", "status=prospect", shared="1")
    client.post(reverse("lists:columns", args=[KEY]), {"columns": ["name", "status", "website"]})
    for index in range(10):
        CustomerFactory(name=f"Small {index:02d}")
    client.get(LIST, {"per_page": 50})
    with CaptureQueriesContext(connection) as ten:
        assert client.get(LIST, {"per_page": 50}).status_code == 200
    for index in range(40):
        CustomerFactory(name=f"Large {index:02d}")
    with CaptureQueriesContext(connection) as fifty:
        html = client.get(LIST, {"per_page": 50}).content.decode()
    assert html.count('name="ids"') == 50
    assert len(fifty) == len(ten)


def test_the_export_has_the_columns_the_user_shows(client_as, in_tenant):
    CustomerFactory(name="Acme Ltd", status="prospect")
    client = client_as(StaffRole.STAFF)
    client.post(reverse("lists:columns", args=[KEY]), {"columns": ["status", "name"]})
    response = client.get(LIST, {"export": "csv"})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Status,Customer Name"
    assert "Prospect,Acme Ltd" in lines
