import pytest
from django.urls import reverse

from accounts.models import StaffRole
from customers import services
from customers.forms import CustomerForm
from fields.models import CustomField

pytestmark = pytest.mark.django_db


def form_data(customer, **changes) -> dict:
    """What the edit form posts for ``customer`` as it is, with ``changes``."""
    form = CustomerForm(instance=customer, user=None)
    data = {}
    for name in form.fields:  # EDITABLE_FIELDS, the custom fields (cf_<key>) and the tags
        value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(item) for item in value]
        elif value is not None:
            data[name] = str(value)
    data["version"] = customer.version
    data.update(changes)
    return data


@pytest.fixture
def staff(client_as):
    return client_as(StaffRole.STAFF)


def test_edit_saves_every_field_and_records_who_changed_what(staff, make_customer):
    CustomField.objects.create(
        object_kind="customer",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["Gold", "Platinum"],
    )
    CustomField.objects.create(object_kind="customer", key="old", label="Old", field_type="text")
    customer = make_customer(name="Acme", custom_field_data={"tier": "Gold", "old": "x"})
    response = staff.post(
        reverse("customers:customer_update", args=[customer.pk]),
        form_data(
            customer,
            name="Acme Ltd",
            company_phone="+44 20 7946 0999",
            billing_city="Leeds",
            cf_tier="Platinum",
            cf_old="",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    customer.refresh_from_db()
    assert customer.name == "Acme Ltd"
    assert customer.company_phone.as_e164 == "+442079460999"
    assert customer.custom_field_data == {"tier": "Platinum"}
    assert customer.version == 2
    record = customer.history.order_by("-history_id").first()
    assert record.history_user == staff.user and record.history_change_reason == "Edited"


def test_a_stale_form_is_refused_and_shows_what_changed(staff, make_customer, make_user):
    customer = make_customer(name="Acme", industry="Retail")
    stale = form_data(customer, industry="Finance")
    someone = make_user(role=StaffRole.ADMIN, first_name="Ada", last_name="Other")
    services.customer_update(
        customer_id=customer.pk, data={"industry": "Logistics"}, expected_version=1, actor=someone
    )
    response = staff.post(reverse("customers:customer_update", args=[customer.pk]), stale)
    assert response.status_code == 409
    content = response.content.decode()
    assert "someone else changed this customer" in content
    assert "Ada Other" in content and "Logistics" in content
    customer.refresh_from_db()
    assert customer.industry == "Logistics"
    assert 'name="version" value="2"' in content


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"company_email": "nope"}, "valid email"),
        ({"company_phone": "abc"}, "valid phone"),
        ({"website": "ftp//bad"}, "valid URL"),
        ({"country": "ZZ"}, "valid choice"),
        ({"status": "zombie"}, "valid choice"),
        ({"name": ""}, "required"),
        ({"description": "x" * 5001}, "at most 5000"),
        ({"version": "abc"}, "reload the page"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(staff, make_customer, changes, message):
    customer = make_customer(name="Acme")
    response = staff.post(
        reverse("customers:customer_update", args=[customer.pk]), form_data(customer, **changes)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    customer.refresh_from_db()
    assert customer.version == 1 and customer.name == "Acme"


def test_parent_cycles_are_refused(staff, make_customer):
    top = make_customer(name="Top")
    middle = make_customer(name="Middle", parent=top)
    bottom = make_customer(name="Bottom", parent=middle)
    response = staff.post(
        reverse("customers:customer_update", args=[top.pk]), form_data(top, parent=bottom.pk)
    )
    assert "already below this one" in response.content.decode()
    top.refresh_from_db()
    assert top.parent_id is None


def test_a_customer_cannot_be_its_own_parent(staff, make_customer):
    customer = make_customer(name="Self")
    response = staff.post(
        reverse("customers:customer_update", args=[customer.pk]),
        form_data(customer, parent=customer.pk),
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.parent_id is None


def test_viewer_cannot_edit(client_as, make_customer):
    customer = make_customer(name="Acme")
    viewer = client_as(StaffRole.VIEWER)
    assert (
        viewer.post(
            reverse("customers:customer_update", args=[customer.pk]), form_data(customer, name="X")
        ).status_code
        == 403
    )
    customer.refresh_from_db()
    assert customer.name == "Acme"
