import pytest
from django.urls import reverse

from accounts.models import StaffRole
from customers.models import Customer
from fields.models import CustomField

pytestmark = pytest.mark.django_db
WIZARD = "/customers/add/"
PREFIX = "customer_create_wizard"


def step(client, name: str, data: dict, **extra):
    payload = {f"{PREFIX}-current_step": name, **{f"{name}-{k}": v for k, v in data.items()}}
    payload.update(extra)
    return client.post(WIZARD, payload)


COMPANY = {
    "name": "Initech",
    "industry": "Software",
    "business_type": "enterprise",
    "status": "prospect",
    "website": "initech.example",
    "description": "TPS reports",
}
CONTACT = {
    "company_email": "info@initech.example",
    "company_phone": "+1 (202) 555-0142",
    "contact_name": "Bill Lumbergh",
    "contact_email": "bill@initech.example",
    "city": "Austin",
    "country": "US",
}


@pytest.fixture
def staff(client_as):
    return client_as(StaffRole.STAFF)


def test_wizard_creates_a_customer_after_review(staff):
    CustomField.objects.create(
        object_kind="customer", key="contract", label="Contract", field_type="text"
    )
    assert staff.get(WIZARD).status_code == 200
    assert step(staff, "company", COMPANY).context["wizard"]["steps"].current == "contact"
    assert step(staff, "contact", CONTACT).context["wizard"]["steps"].current == "extras"
    response = step(
        staff,
        "extras",
        {"internal_notes": "Met at a conference", "cf_contract": "C-42"},
    )
    assert response.context["wizard"]["steps"].current == "review"  # staff skip the admin step
    content = response.content.decode()
    assert "Initech" in content and "Bill Lumbergh" in content and "Contract: C-42" in content
    response = step(staff, "review", {})
    customer = Customer.objects.get(name="Initech")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    assert customer.website == "https://initech.example"
    assert (
        str(customer.company_phone) == "+1 202-555-0142"
        or customer.company_phone.as_e164 == "+12025550142"
    )
    assert customer.custom_field_data == {"contract": "C-42"}
    (contact,) = customer.contacts.all()
    assert (contact.name, contact.email, contact.roles_label) == (
        "Bill Lumbergh",
        "bill@initech.example",
        "Primary",
    )
    record = customer.history.get()
    assert record.history_user == staff.user and record.history_change_reason == "Created"


def test_back_keeps_what_was_typed(staff):
    step(staff, "company", COMPANY)
    response = staff.post(
        WIZARD,
        {
            f"{PREFIX}-current_step": "contact",
            "contact-contact_name": "Typed But Not Saved",
            "wizard_goto_step": "company",
        },
    )
    assert response.context["wizard"]["steps"].current == "company"
    assert 'value="Initech"' in response.content.decode()
    response = step(staff, "company", COMPANY)
    assert 'value="Typed But Not Saved"' in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company_email", "not-an-email", "valid email"),
        ("company_phone", "12", "valid phone"),
        ("country", "XX", "valid choice"),
    ],
)
def test_each_step_validates_before_moving_on(staff, field, value, message):
    step(staff, "company", COMPANY)
    response = step(staff, "contact", {**CONTACT, field: value})
    assert response.context["wizard"]["steps"].current == "contact"
    assert message in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": ""}, "required"),
        ({"name": "x" * 201}, "at most 200"),
        ({"website": "javascript:alert(1)"}, "valid URL"),
        ({"business_type": "emperor"}, "valid choice"),
    ],
)
def test_company_step_refuses_bad_input(staff, data, message):
    response = step(staff, "company", {**COMPANY, **data})
    assert response.context["wizard"]["steps"].current == "company"
    assert message in response.content.decode()


def test_custom_fields_are_checked_on_the_extras_step(staff):
    CustomField.objects.create(
        object_kind="customer", key="seats", label="Seats", field_type="integer", required=True
    )
    step(staff, "company", COMPANY)
    step(staff, "contact", CONTACT)
    response = step(staff, "extras", {"cf_seats": "many"})
    assert response.context["wizard"]["steps"].current == "extras"
    assert response.context["form"].errors == {"cf_seats": ["Enter a whole number."]}
    assert "Enter a whole number." in response.content.decode()
    # Put right: the review names the field by its label, the value as the locale writes it.
    response = step(staff, "extras", {"cf_seats": "1200"})
    assert ("Custom fields", "Seats: 1,200") in response.context["summary"]


def test_likely_duplicate_must_be_confirmed(staff, make_customer):
    existing = make_customer(name="Initech Corporation", website="https://www.initech.example")
    step(staff, "company", COMPANY)
    step(staff, "contact", CONTACT)
    response = step(staff, "extras", {})
    assert existing.get_absolute_url() in response.content.decode()
    response = step(staff, "review", {})
    assert "looks like a customer you already have" in response.content.decode()
    assert Customer.objects.count() == 1
    response = step(staff, "review", {"confirm_not_duplicate": "on"})
    assert Customer.objects.count() == 2
    # Added anyway: its page offers the merge (staff are told an admin can).
    created = Customer.objects.exclude(pk=existing.pk).get()
    assert response["Location"] == (
        f"{created.get_absolute_url()}?possible_duplicate={existing.pk}"
    )
    page = staff.get(response["Location"]).content.decode()
    assert "data-possible-duplicate" in page and "an admin can" in page


def test_an_admin_is_offered_the_merge_of_a_customer_added_anyway(client_as, make_customer):
    existing = make_customer(name="Acme Corporation")
    admin = client_as(StaffRole.ADMIN)
    url = reverse("customers:customer_quick_add")
    response = admin.post(
        url, {"name": "ACME Corp", "confirm_not_duplicate": "true"}, HTTP_HX_REQUEST="true"
    )
    created = Customer.objects.get(name="ACME Corp")
    assert (
        response["HX-Redirect"] == f"{created.get_absolute_url()}?possible_duplicate={existing.pk}"
    )
    page = admin.get(response["HX-Redirect"]).content.decode()
    merge = reverse("customers:customer_merge", args=[existing.pk]) + f"?other={created.pk}"
    assert f'href="{merge}"' in page
    # Another id, one's own id or a deleted customer's: no offer.
    for wanted in ("999999", str(created.pk), "x"):
        page = admin.get(created.get_absolute_url(), {"possible_duplicate": wanted})
        assert "data-possible-duplicate" not in page.content.decode()


def test_quick_add_needs_only_a_name_and_warns_about_duplicates(staff, make_customer):
    make_customer(name="Acme Corporation")
    url = reverse("customers:customer_quick_add")
    response = staff.post(url, {"name": "ACME Corp"}, HTTP_HX_REQUEST="true")
    assert "You may already have this customer" in response.content.decode()
    assert Customer.objects.count() == 1
    response = staff.post(
        url, {"name": "ACME Corp", "confirm_not_duplicate": "true"}, HTTP_HX_REQUEST="true"
    )
    created = Customer.objects.get(name="ACME Corp")
    assert response["HX-Redirect"].startswith(created.get_absolute_url())


def test_quick_add_without_javascript(staff):
    response = staff.post(reverse("customers:customer_quick_add"), {"name": "Plain Co"})
    assert response.status_code == 302
    assert Customer.objects.filter(name="Plain Co").exists()


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_quick_add_refuses_bad_names(staff, name):
    response = staff.post(reverse("customers:customer_quick_add"), {"name": name})
    assert response.status_code == 200
    assert not Customer.objects.exists()


def test_viewer_cannot_create(client_as):
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.get(WIZARD).status_code == 403
    assert viewer.post(reverse("customers:customer_quick_add"), {"name": "Nope"}).status_code == 403
    assert not Customer.objects.exists()


def test_admins_can_invite_the_customer_admin_as_the_wizards_last_step(
    client_as, django_capture_on_commit_callbacks
):
    from django.core import mail

    from portal.models import Membership

    admin = client_as(StaffRole.ADMIN)
    step(admin, "company", COMPANY)
    step(admin, "contact", CONTACT)
    assert step(admin, "extras", {}).context["wizard"]["steps"].current == "admin"
    response = step(admin, "admin", {"first_name": "Ada", "email": "ada@initech.example"})
    assert "give first name, last name and email" in response.content.decode()
    response = step(
        admin,
        "admin",
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@initech.example"},
    )
    assert "ada@initech.example" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        step(admin, "review", {})
    membership = Membership.objects.get()
    assert membership.customer.name == "Initech" and membership.role == "admin"
    assert mail.outbox[0].to == ["ada@initech.example"]


def test_demo_customers_have_valid_contact_emails(in_tenant):
    """Demo rows are bulk-created (no validation): names like "Prof. Jörg" once gave
    "prof.@…" and "jörg@…", which broke invoices that copy the address."""
    from django.core.validators import validate_email

    from customers.demo import create_demo_customers
    from customers.models import Contact, Customer

    create_demo_customers(count=120)
    emails = list(Contact.objects.values_list("email", flat=True))
    assert len(emails) >= 120
    for email in emails:
        validate_email(email)
    # Every customer has its primary contact; the billing one, when it is someone else.
    primary = Contact.objects.filter(roles__key="primary").values("customer").distinct()
    assert primary.count() == Customer.objects.count() == 120


@pytest.mark.parametrize("tampered", ["<script>alert(1)</script>", "admin", "99999999999999999999"])
def test_a_step_the_wizard_does_not_have_shows_the_current_step_again(staff, tampered):
    """The wizard's hidden step field is the client's: a name that is no step of this
    wizard (or one this user skips, like staff and "admin") is a message, never a 500."""
    response = step(staff, tampered, COMPANY)
    assert response.status_code == 200
    assert response.context["wizard"]["steps"].current == "company"
    assert "That step does not exist" in response.content.decode()
    assert not Customer.objects.filter(name="Initech").exists()
