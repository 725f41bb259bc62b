"""What people do with custom fields and tags on the pages: define them, fill them in, see
them on the record and in the list, filter and search by them, remove them."""

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from customers.models import Customer
from fields.models import CustomField, Tag
from tests.customers.test_edit import form_data
from tests.factories import AssetFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def test_an_admin_defines_a_choice_field_and_staff_may_only_look(admin, client_as):
    response = admin.post(
        reverse("fields:field_create"),
        {
            "object_kind": "customer",
            "label": "Contract tier",
            "key": "contract_tier",
            "field_type": "choice",
            "choices": "Gold\nSilver\nBronze",
            "default": "silver",
            "order": 10,
            "show_in_list": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    tier = CustomField.objects.get(key="contract_tier")
    assert tier.choices == ["Gold", "Silver", "Bronze"] and tier.default == "Silver"
    assert tier.history.get().history_user == admin.user
    staff = client_as(StaffRole.STAFF)
    assert "Contract tier" in staff.get(reverse("fields:field_list")).content.decode()
    assert staff.get(reverse("fields:field_create")).status_code == 403
    assert staff.post(reverse("fields:field_delete", args=[tier.pk])).status_code == 403
    assert CustomField.objects.filter(pk=tier.pk).exists()


def test_a_choice_field_without_choices_or_with_a_bad_default_is_refused(admin):
    response = admin.post(
        reverse("fields:field_create"),
        {
            "object_kind": "customer",
            "label": "Tier",
            "key": "tier",
            "field_type": "choice",
            "choices": "Gold",
            "default": "Platinum",
            "order": 1,
        },
    )
    assert response.status_code == 200
    assert "is not one of the choices" in response.content.decode()
    response = admin.post(
        reverse("fields:field_create"),
        {
            "object_kind": "customer",
            "label": "Tier",
            "key": "Bad key!",
            "field_type": "integer",
            "order": 1,
        },
    )
    assert "Use lowercase letters" in response.content.decode()
    assert not CustomField.objects.exists()


def test_editing_a_customer_sets_typed_values_and_tags_shown_on_its_page(admin, define, make_tag):
    define("customer", "tier", "choice", label="Contract tier", choices=["Gold", "Silver"])
    define("customer", "seats", "integer")
    define("customer", "renewal", "date")
    define("customer", "managed", "boolean")
    key_account = make_tag("Key account", "purple")
    customer = CustomerFactory(name="Acme")
    response = admin.post(
        reverse("customers:customer_update", args=[customer.pk]),
        form_data(
            customer,
            cf_tier="Gold",
            cf_seats="25",
            cf_renewal="2027-01-31",
            cf_managed="yes",
            chosen_tags=[str(key_account.pk)],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert customer.custom_field_data == {
        "tier": "Gold",
        "seats": 25,
        "renewal": "2027-01-31",
        "managed": True,
    }
    assert list(customer.tags.all()) == [key_account]
    reasons = list(customer.history.values_list("history_change_reason", flat=True))
    assert "Edited" in reasons and "Tags: +Key account" in reasons
    page = admin.get(customer.get_absolute_url()).content.decode()
    assert "Contract tier" in page and "Jan 31, 2027" in page and "Key account" in page
    # History names each custom field changed, by its label, with its values.
    response = admin.get(reverse("customers:customer_history", args=[customer.pk]))
    history = " ".join(response.content.decode().split())
    assert "<tr><td>Contract tier</td><td><del>—</del></td><td><ins>Gold</ins></td></tr>" in history
    assert "<tr><td>Managed</td><td><del>—</del></td><td><ins>Yes</ins></td></tr>" in history
    assert "tier:" not in history and "Custom fields" not in history


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"cf_seats": "many"}, "Enter a whole number."),
        ({"cf_tier": "Platinum"}, "Select a valid choice."),
        ({"cf_site": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"cf_billing": "nope"}, "Enter a valid email address."),
        ({"cf_tier": ""}, "This field is required."),
    ],
)
def test_bad_values_are_refused_on_the_form_and_nothing_is_written(admin, define, changes, message):
    define("customer", "tier", "choice", choices=["Gold"], required=True)
    define("customer", "seats", "integer")
    define("customer", "site", "url")
    define("customer", "billing", "email")
    customer = CustomerFactory(name="Acme", custom_field_data={"tier": "Gold"})
    data = form_data(customer, name="Renamed", **changes)
    response = admin.post(reverse("customers:customer_update", args=[customer.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    customer.refresh_from_db()
    assert customer.name == "Acme" and customer.custom_field_data == {"tier": "Gold"}


def test_the_list_filters_by_choices_ranges_yes_no_and_tags_and_searches_text(
    client_as, define, make_tag
):
    define("customer", "tier", "choice", choices=["Gold", "Silver", "Bronze"])
    define("customer", "seats", "integer")
    define("customer", "renewal", "date")
    define("customer", "managed", "boolean")
    define("customer", "account_manager", "text")
    vip = make_tag("VIP")
    gold = CustomerFactory(
        name="Gold Co",
        custom_field_data={"tier": "Gold", "seats": 50, "renewal": "2026-06-01", "managed": True},
    )
    gold.tags.add(vip)
    silver = CustomerFactory(
        name="Silver Co",
        custom_field_data={"tier": "Silver", "seats": 5, "account_manager": "Zelda Quux"},
    )
    silver.save()  # the search haystack takes the text values
    CustomerFactory(name="Plain Co")
    viewer = client_as(StaffRole.VIEWER)

    def names(query: str) -> list[str]:
        response = viewer.get(reverse("customers:customer_list") + "?" + query)
        return sorted(row.record.name for row in response.context["table"].page.object_list)

    assert names("cf_tier=Gold&cf_tier=Silver") == ["Gold Co", "Silver Co"]
    assert names("cf_tier=Bronze") == []
    assert names("cf_seats_min=10") == ["Gold Co"]
    assert names("cf_seats_max=10") == ["Silver Co"]
    assert names("cf_renewal_min=2026-01-01&cf_renewal_max=2026-12-31") == ["Gold Co"]
    assert names("cf_managed=yes") == ["Gold Co"]
    assert names("tag=vip") == ["Gold Co"]
    assert names("q=zelda") == ["Silver Co"]


def test_five_custom_columns_and_two_filters_keep_the_list_in_constant_queries(
    client_as, define, make_tag, django_assert_max_num_queries
):
    for key in ("tier", "seats", "renewal", "region", "score"):
        kind = {"tier": "choice", "seats": "integer", "renewal": "date"}.get(key, "text")
        define(
            "customer",
            key,
            kind,
            show_in_list=True,
            choices=["Gold", "Silver"] if kind == "choice" else [],
        )
    tags = [make_tag("VIP"), make_tag("Renewal due")]
    viewer = client_as(StaffRole.VIEWER)
    url = reverse("customers:customer_list") + "?cf_tier=Gold&cf_seats_min=1&per_page=50"

    def add(count: int) -> None:
        for n in range(count):
            customer = CustomerFactory(
                custom_field_data={"tier": "Gold", "seats": n + 1, "region": "EMEA"}
            )
            customer.tags.add(*tags)

    add(2)
    with django_assert_max_num_queries(60) as captured:
        response = viewer.get(url)
    small = len(captured)
    assert len(response.context["table"].page.object_list) == 2
    assert "EMEA" in response.content.decode() and "Renewal due" in response.content.decode()
    add(20)
    with django_assert_max_num_queries(small) as captured:
        response = viewer.get(url)
    assert len(response.context["table"].page.object_list) == 22


def test_removing_a_field_takes_its_values_off_and_keeps_them_in_history(admin, define):
    tier = define("customer", "tier", "choice", choices=["Gold"])
    customer = CustomerFactory(name="Acme", custom_field_data={"tier": "Gold"})
    response = admin.get(reverse("fields:field_delete", args=[tier.pk]))
    assert "1 record has a value" in response.content.decode()
    response = admin.post(reverse("fields:field_delete", args=[tier.pk]))
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.custom_field_data == {}
    newest, before = customer.history.order_by("-history_id")[:2]
    assert newest.history_change_reason == "Custom field “Tier” removed"
    assert newest.history_user == admin.user
    assert before.custom_field_data == {"tier": "Gold"}
    assert not CustomField.objects.exists()
    assert CustomField.history.filter(history_type="-").get().history_user == admin.user


def test_fields_are_reordered_and_tags_recoloured_and_removed(admin, define, make_tag):
    first = define("customer", "first", "text", order=10)
    second = define("customer", "second", "text", order=20)
    admin.post(reverse("fields:field_move", args=[second.pk]), {"direction": "up"})
    assert list(CustomField.objects.for_kind("customer").values_list("key", flat=True)) == [
        "second",
        "first",
    ]
    vip = make_tag("VIP")
    customer = CustomerFactory()
    customer.tags.add(vip)
    admin.post(reverse("fields:tag_update", args=[vip.pk]), {"name": "Top", "colour": "green"})
    vip.refresh_from_db()
    assert (vip.name, vip.colour) == ("Top", "green")
    admin.post(reverse("fields:tag_list"), {"name": "top", "colour": "red"})
    assert Tag.objects.count() == 1  # names are unique whatever their case
    admin.post(reverse("fields:tag_delete", args=[vip.pk]))
    assert not Tag.objects.exists() and not customer.tags.exists()
    assert customer.history.order_by("-history_id").first().history_change_reason == (
        "Tag “Top” removed"
    )
    assert first.pk


def test_locations_and_assets_take_custom_fields_and_tags_in_their_forms(admin, define, make_tag):
    define("location", "floor", "integer")
    define("asset", "warranty_until", "date", required=True)
    rack = make_tag("Rack")
    location = LocationFactory(name="HQ")
    response = admin.post(
        reverse("locations:location_update", args=[location.pk]),
        {
            "name": "HQ",
            "location_type": "office",
            "status": "active",
            "cf_floor": "3",
            "chosen_tags": [rack.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    location.refresh_from_db()
    assert location.custom_field_data == {"floor": 3} and list(location.tags.all()) == [rack]
    asset = AssetFactory(location=location, custom_field_data={"warranty_until": "2027-01-01"})
    response = admin.post(
        reverse("assets:asset_update", args=[asset.pk]),
        {
            "name": asset.name,
            "serial_number": asset.serial_number,
            "category": asset.category,
            "status": asset.status,
            "owner": asset.owner_id,
            "location": location.pk,
            "cf_warranty_until": "",
        },
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    asset.refresh_from_db()
    assert asset.custom_field_data == {"warranty_until": "2027-01-01"}
    assert Customer.objects.count() == 1


def test_contacts_take_custom_fields_and_tags_in_their_form(admin, define, make_tag):
    from customers import services_contacts

    define("contact", "shoe_size", "integer")
    define("contact", "newsletter", "boolean")
    vip = make_tag("VIP")
    acme = CustomerFactory(name="Acme")
    page = admin.get(reverse("customers:contact_create") + f"?customer={acme.pk}")
    html = page.content.decode()
    assert 'name="cf_shoe_size"' in html and 'name="chosen_tags"' in html
    response = admin.post(
        reverse("customers:contact_create"),
        {
            "customer": acme.pk,
            "name": "Jane Doe",
            "email": "jane@acme.example",
            "preferred_channel": "email",
            "cf_shoe_size": "38",
            "cf_newsletter": "yes",
            "chosen_tags": [vip.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    contact = acme.contacts.get()
    assert contact.custom_field_data == {"shoe_size": 38, "newsletter": True}
    assert list(contact.tags.all()) == [vip]
    detail = admin.get(response["Location"]).content.decode()
    assert "Shoe size" in detail and "38" in detail and "VIP" in detail

    # A wrong type is refused on the form; the contact keeps what it had.
    response = admin.post(
        reverse("customers:contact_update", args=[contact.pk]),
        {
            "name": "Jane Doe",
            "email": "jane@acme.example",
            "preferred_channel": "email",
            "cf_shoe_size": "big",
        },
    )
    assert response.status_code == 200 and "Enter a whole number." in response.content.decode()
    contact.refresh_from_db()
    assert contact.custom_field_data == {"shoe_size": 38, "newsletter": True}

    # Only the tags change: one history row says which.
    services_contacts.contact_update(contact_id=contact.pk, data={}, tags=[], actor=admin.user)
    assert contact.tags.count() == 0
    assert contact.history.order_by("-history_id").first().history_change_reason == "Tags: −VIP"
