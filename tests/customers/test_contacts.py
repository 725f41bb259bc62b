"""Contacts with roles: the data migration from the old primary/billing fields, the services,
billing's recipient, search by contact, the pages (list, tab, detail, forms, roles) and
their scope."""

from __future__ import annotations

import importlib

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from customers import services_contacts as services
from customers.access import staff_customer_access_set
from customers.models import Customer
from customers.models_contacts import BILLING, PRIMARY, Contact, ContactRole
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("customers.migrations.0008_contacts_from_fields")
SINCE = importlib.import_module("customers.migrations.0014_contacts_from_fields_since")


def role(key: str) -> ContactRole:
    return ContactRole.objects.get(key=key)


def migrate(customer, **fields) -> int:
    """0008's bulk pass over one customer's old contact fields (given as they were)."""
    return MIGRATION._make(
        [{"id": customer.pk, **fields}],
        Contact,
        Contact.roles.through,
        Contact.history.model,
        MIGRATION.seed_roles(ContactRole),
    )


def migrate_since(customer, **fields) -> None:
    """0014's pass: what the old fields held since 0008, next to the contacts made then."""
    roles = {r.key: r for r in ContactRole.objects.filter(key__in=[PRIMARY, BILLING])}
    rows = [{"pk": customer.pk, **fields}]
    SINCE._sync_chunk(rows, roles, Contact, Contact.history.model, timezone.now())


def contacts_of(customer) -> list[tuple[str, str, str, set[str]]]:
    return [
        (c.name, c.email, c.phone.as_e164 if c.phone else "", {r.key for r in c.roles.all()})
        for c in Contact.objects.filter(customer=customer).order_by("pk")
    ]


@pytest.fixture
def acme(in_tenant):
    return CustomerFactory(name="Acme Corporation", contact_name="", external_id="ACME-1")


@pytest.fixture
def staff(client_as):
    return client_as(StaffRole.STAFF)


# --- The data migration ------------------------------------------------------------------------


def test_the_migration_seeds_the_built_in_roles(in_tenant):
    keys = set(ContactRole.objects.values_list("key", flat=True))
    assert {PRIMARY, BILLING, "technical", "decision_maker"} <= keys


def test_the_same_person_in_both_fields_becomes_one_contact_with_both_roles(in_tenant):
    same = CustomerFactory()
    assert (
        migrate(
            same,
            contact_name="Jane Doe",
            contact_email="Jane@acme.example",
            contact_phone="+12025550100",
            billing_contact_name="J. Doe",
            billing_email="jane@acme.example",
            billing_phone="+12025550199",
        )
        == 1
    )
    (contact,) = Contact.objects.filter(customer=same)
    assert contact.name == "Jane Doe" and contact.email == "Jane@acme.example"
    assert {r.key for r in contact.roles.all()} == {PRIMARY, BILLING}
    # Nothing typed is lost: the second name and phone are kept.
    assert contact.phone.as_e164 == "+12025550100" and contact.mobile.as_e164 == "+12025550199"
    assert "J. Doe" in contact.notes
    assert contact.roles_label == "Primary, Billing"
    record = contact.history.get()
    assert record.history_type == "+" and record.history_change_reason == MIGRATION.REASON
    # The contact is findable: the search fields were computed without the model's save().
    assert Contact.objects.search("2025550199").get() == contact


def test_two_people_become_two_contacts(in_tenant):
    two = CustomerFactory()
    migrate(
        two,
        contact_name="Ann Primary",
        contact_email="ann@two.example",
        contact_phone="+442079460000",
        billing_contact_name="Bob Billing",
        billing_email="ap@two.example",
    )
    assert contacts_of(two) == [
        ("Ann Primary", "ann@two.example", "+442079460000", {PRIMARY}),
        ("Bob Billing", "ap@two.example", "", {BILLING}),
    ]


def test_an_email_without_a_name_is_a_contact_named_by_it_and_empty_fields_are_none(in_tenant):
    billing_only, nobody = CustomerFactory(), CustomerFactory()
    assert migrate(billing_only, contact_name="", billing_email="ap@only.example") == 1
    assert migrate(nobody, contact_name="", billing_email="") == 0
    assert contacts_of(billing_only) == [("ap@only.example", "ap@only.example", "", {BILLING})]
    assert contacts_of(nobody) == []


def test_the_same_name_without_two_emails_is_one_person(in_tenant):
    customer = CustomerFactory()
    migrate(
        customer,
        contact_name="Kim Lee",
        billing_contact_name="kim lee",
        billing_email="kim@lee.example",
    )
    assert contacts_of(customer) == [("Kim Lee", "kim@lee.example", "", {PRIMARY, BILLING})]


def test_what_the_old_fields_held_since_becomes_contacts_without_taking_roles(in_tenant):
    """0014: the old fields kept being written after 0008 (the edit form, the portal, the
    import). A person already a contact adds nothing; a new billing person, when nobody is
    billing, becomes the billing contact; a new primary person, when someone is primary
    already, is added without the role and with a note of where it came from. Twice: the
    same."""
    customer = CustomerFactory(contact_name="Ann Primary", contact_email="ann@acme.example")
    fields = {
        "contact_name": "Ann P.",
        "contact_email": "ANN@acme.example",
        "billing_contact_name": "Bob Billing",
        "billing_email": "ap@acme.example",
    }
    for _ in range(2):
        migrate_since(customer, **fields)
        assert contacts_of(customer) == [
            ("Ann Primary", "ann@acme.example", "", {PRIMARY}),
            ("Bob Billing", "ap@acme.example", "", {BILLING}),
        ]
    migrate_since(customer, contact_name="Cleo New", contact_email="cleo@acme.example")
    cleo = Contact.objects.get(email="cleo@acme.example")
    assert not cleo.roles.exists() and "primary contact field" in cleo.notes
    assert cleo.history.filter(history_change_reason=SINCE.REASON).exists()
    assert services.invoice_recipient(customer) == ("Bob Billing", "ap@acme.example")


def test_a_person_already_a_contact_takes_the_role_nobody_holds(in_tenant):
    customer = CustomerFactory()
    dana = services.contact_create(customer=customer, actor=None, name="Dana", email="d@x.example")
    migrate_since(customer, billing_contact_name="Dana", billing_email="d@x.example")
    dana.refresh_from_db()
    assert dana.roles_label == "Billing" and contacts_of(customer)[0][3] == {BILLING}


# --- Services ---------------------------------------------------------------------------------


def test_create_update_archive_and_restore_keep_history_with_actor_and_reason(acme):
    actor = UserFactory(role=StaffRole.STAFF)
    contact = services.contact_create(
        customer=acme,
        actor=actor,
        roles=[role(BILLING), role(PRIMARY)],
        name="  Jane Doe ",
        email="jane@acme.example",
        phone="+12025550100",
    )
    assert contact.name == "Jane Doe" and contact.roles_label == "Primary, Billing"
    services.contact_update(
        contact_id=contact.pk, data={"title": "CFO"}, roles=[role(BILLING)], actor=actor
    )
    services.contact_set_archived(contact_id=contact.pk, archived=True, actor=actor)
    services.contact_set_archived(contact_id=contact.pk, archived=False, actor=actor)
    records = list(contact.history.order_by("history_id"))
    assert [r.history_change_reason for r in records] == [
        "Created",
        "Edited",
        "Left the company (archived)",
        "Restored",
    ]
    assert all(r.history_user == actor for r in records)
    assert records[1].roles_label == "Billing" and records[1].title == "CFO"
    assert records[2].is_archived and records[2].archived_at is not None


def test_an_update_that_changes_nothing_writes_nothing(acme):
    contact = services.contact_create(customer=acme, actor=None, name="Same", roles=[role(PRIMARY)])
    services.contact_update(
        contact_id=contact.pk, data={"name": "Same"}, roles=[role(PRIMARY)], actor=None
    )
    assert contact.history.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "X", "email": "not-an-email"}, "email"),
        ({"name": "X", "other_emails": "a@b.example, nope"}, "other_emails"),
        ({"name": "X", "phone": "12"}, "phone"),
        ({"name": "X", "preferred_channel": "sms"}, "mobile"),
        ({"name": "X", "preferred_channel": "pigeon"}, "preferred_channel"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(acme, fields, field):
    with pytest.raises(ValidationError) as error:
        services.contact_create(customer=acme, actor=None, **fields)
    assert field in error.value.message_dict
    assert not Contact.objects.exists()


def test_archived_roles_and_deleted_customers_are_refused(acme):
    technical = role("technical")
    services.contact_role_set_archived(role_id=technical.pk, archived=True, actor=None)
    with pytest.raises(ValidationError, match="roles from the list"):
        services.contact_create(customer=acme, actor=None, name="X", roles=[technical])
    gone = CustomerFactory(deleted_at="2026-01-01T00:00:00Z")
    with pytest.raises(ValidationError, match="deleted"):
        services.contact_create(customer=gone, actor=None, name="X")
    assert not Contact.objects.exists()


def test_roles_are_renamed_and_new_ones_unique_in_any_case(in_tenant):
    billing = role(BILLING)
    services.contact_role_update(role_id=billing.pk, data={"name": "Accounts payable"}, actor=None)
    assert role(BILLING).name == "Accounts payable"  # still the billing role
    services.contact_role_create(name="Legal", actor=None)
    with pytest.raises(ValidationError):
        services.contact_role_create(name="  LEGAL ", actor=None)
    assert ContactRole.objects.filter(name__iexact="legal").count() == 1


def test_inviting_a_contact_makes_a_linked_portal_user_and_emails_after_commit(
    acme, django_capture_on_commit_callbacks
):
    admin = UserFactory(role=StaffRole.ADMIN)
    contact = services.contact_create(
        customer=acme, actor=admin, name="Pat Portal", email="pat@acme.example"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_invite_to_portal(
            contact_id=contact.pk, role="read_only", actor=admin, base_url="http://alpha.localhost/"
        )
    contact.refresh_from_db()
    assert contact.portal_user.email == "pat@acme.example"
    assert contact.portal_user.membership.customer == acme
    assert contact.portal_user.membership.role == "read_only"
    assert [m.to for m in mail.outbox] == [["pat@acme.example"]]
    assert contact.history.order_by("-history_id").first().history_change_reason == (
        "Invited to the portal"
    )
    with pytest.raises(ValidationError, match="already has a portal account"):
        services.contact_invite_to_portal(
            contact_id=contact.pk, role="read_only", actor=admin, base_url="http://x/"
        )


def test_a_contact_without_email_cannot_be_invited(acme):
    contact = services.contact_create(customer=acme, actor=None, name="No Mail")
    with pytest.raises(ValidationError, match="email"):
        services.contact_invite_to_portal(
            contact_id=contact.pk, role="read_only", actor=None, base_url="http://x/"
        )


# --- Billing's recipient ----------------------------------------------------------------------


def test_invoices_go_to_the_billing_contact_first_then_the_primary_then_the_company(in_tenant):
    customer = CustomerFactory(company_email="info@acme.example")
    assert services.invoice_recipient(customer) == ("", "info@acme.example")
    services.contact_create(
        customer=customer,
        actor=None,
        name="New Primary",
        email="p@acme.example",
        roles=[role(PRIMARY)],
    )
    assert services.invoice_recipient(customer) == ("New Primary", "p@acme.example")
    payer = services.contact_create(
        customer=customer,
        actor=None,
        name="Paula Payer",
        email="ap@acme.example",
        roles=[role(BILLING)],
    )
    assert services.invoice_recipient(customer) == ("Paula Payer", "ap@acme.example")
    services.contact_set_archived(contact_id=payer.pk, archived=True, actor=None)
    assert services.invoice_recipient(customer) == ("New Primary", "p@acme.example")


def test_an_issued_invoice_is_addressed_to_the_billing_contact(in_tenant):
    from billing.services.invoicing import billing_address_of

    customer = CustomerFactory(name="Payer Co", contact_name="Old Person")
    assert billing_address_of(customer)[1] == customer.company_email
    services.contact_create(
        customer=customer,
        actor=None,
        name="Paula Payer",
        email="paula@payer.example",
        roles=[role(BILLING)],
    )
    address, email = billing_address_of(customer)
    assert email == "paula@payer.example"
    assert address.splitlines()[:2] == ["Payer Co", "Paula Payer"]


# --- Search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term", ["ziggy stardust", "ZIGGY", "ziggy@mars.example", "mars.example", "555 0177", "0177"]
)
def test_customers_are_found_by_any_contact_name_email_or_phone(acme, term):
    other = CustomerFactory(name="Other Co", contact_name="")
    services.contact_create(
        customer=acme,
        actor=None,
        name="Ziggy Stardust",
        email="ziggy@mars.example",
        mobile="+1 202 555 0177",
    )
    found = set(Customer.objects.search(term).values_list("name", flat=True))
    assert "Acme Corporation" in found and other.name not in found


def test_a_contact_who_left_no_longer_finds_the_customer(acme):
    contact = services.contact_create(customer=acme, actor=None, name="Leaving Larry")
    assert Customer.objects.search("leaving larry").exists()
    services.contact_set_archived(contact_id=contact.pk, archived=True, actor=None)
    assert not Customer.objects.search("leaving larry").exists()


def test_the_customer_list_search_finds_by_contact_email(staff, acme):
    services.contact_create(customer=acme, actor=None, name="Hidden", email="needle@hay.example")
    response = staff.get(reverse("customers:customer_list"), {"q": "needle@hay"})
    assert "Acme Corporation" in response.content.decode()


def test_a_broad_contact_match_searches_through_exists_with_the_same_answer(acme, monkeypatch):
    """Past CONTACT_IDS_INLINE customers matched by contacts, the search correlates instead of
    listing ids: the same customers either way, and no one else."""
    from customers import querysets

    other = CustomerFactory(name="Other Firm", contact_name="")
    CustomerFactory(name="Unrelated Ltd", contact_name="")
    for customer in (acme, other):
        services.contact_create(customer=customer, actor=None, name="Wide Match", email="")
    inline = set(Customer.objects.search("wide match").values_list("name", flat=True))
    monkeypatch.setattr(querysets, "CONTACT_IDS_INLINE", 1)
    correlated = set(Customer.objects.search("wide match").values_list("name", flat=True))
    assert inline == correlated == {"Acme Corporation", "Other Firm"}


# --- Pages ------------------------------------------------------------------------------------


def test_staff_add_a_contact_with_two_roles_and_see_it_first_on_the_tab(staff, acme):
    services.contact_create(customer=acme, actor=None, name="Aaron Nobody")
    response = staff.post(
        reverse("customers:contact_create"),
        {
            "customer": acme.pk,
            "name": "Zoe Payer",
            "email": "zoe@acme.example",
            "phone": "+1 202 555 0123",
            "preferred_channel": "email",
            "roles": [role(PRIMARY).pk, role(BILLING).pk],
        },
    )
    zoe = Contact.objects.get(name="Zoe Payer")
    assert response.status_code == 302 and response["Location"] == zoe.get_absolute_url()
    assert {r.key for r in zoe.roles.all()} == {PRIMARY, BILLING}
    assert zoe.history.get().history_user == staff.user
    page = staff.get(reverse("customers:customer_contacts", args=[acme.pk])).content.decode()
    assert page.index("Zoe Payer") < page.index("Aaron Nobody")  # primary and billing first
    detail = staff.get(zoe.get_absolute_url()).content.decode()
    assert "Primary" in detail and "Billing" in detail and "Created" in detail


def test_a_bad_form_shows_the_message_and_writes_nothing(staff, acme):
    response = staff.post(
        reverse("customers:contact_create"),
        {"customer": acme.pk, "name": "Sam", "preferred_channel": "sms", "roles": ["999999"]},
    )
    assert response.status_code == 200
    assert not Contact.objects.exists()


def test_edit_and_mark_as_left_from_the_pages(staff, acme):
    contact = services.contact_create(customer=acme, actor=None, name="Edit Me")
    response = staff.post(
        reverse("customers:contact_update", args=[contact.pk]),
        {"name": "Edited", "preferred_channel": "any", "roles": [role(BILLING).pk]},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.name == "Edited" and contact.roles_label == "Billing"
    staff.post(reverse("customers:contact_archive", args=[contact.pk]))
    contact.refresh_from_db()
    assert contact.is_archived and contact.archived_at is not None
    link = f'href="{contact.get_absolute_url()}"'
    assert "marked as left" in staff.get(contact.get_absolute_url()).content.decode()
    assert link not in staff.get(reverse("customers:contact_list")).content.decode()
    listed = staff.get(reverse("customers:contact_list"), {"archived": "include"})
    assert link in listed.content.decode()


def test_the_list_filters_by_role_and_exports_csv(staff, acme):
    services.contact_create(customer=acme, actor=None, name="Bill Payer", roles=[role(BILLING)])
    services.contact_create(
        customer=acme, actor=None, name="Tech Person", roles=[role("technical")]
    )
    url = reverse("customers:contact_list")
    filtered = staff.get(url, {"role": role(BILLING).pk}).content.decode()
    assert "Bill Payer" in filtered and "Tech Person" not in filtered
    export = staff.get(url, {"export": "csv", "q": "tech"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Tech Person" in body and "Technical" in body and "Bill Payer" not in body


def test_the_wizard_contact_step_creates_contacts_with_roles(staff, in_tenant):
    prefix = "customer_create_wizard"
    url = reverse("customers:customer_create")

    def step(name, data):
        payload = {f"{prefix}-current_step": name, **{f"{name}-{k}": v for k, v in data.items()}}
        return staff.post(url, payload)

    step("company", {"name": "Wizard Co", "business_type": "smb", "status": "active"})
    step(
        "contact",
        {
            "contact_name": "Wanda Wizard",
            "contact_email": "wanda@wizard.example",
            "billing_contact_name": "Bert Books",
            "billing_email": "bert@wizard.example",
        },
    )
    step("extras", {})
    step("review", {"confirm_not_duplicate": "on"})
    customer = Customer.objects.get(name="Wizard Co")
    assert contacts_of(customer) == [
        ("Wanda Wizard", "wanda@wizard.example", "", {PRIMARY}),
        ("Bert Books", "bert@wizard.example", "", {BILLING}),
    ]
    assert services.invoice_recipient(customer) == ("Bert Books", "bert@wizard.example")


def test_admins_edit_the_role_list_and_staff_may_only_read_it(client_as, staff, in_tenant):
    admin = client_as(StaffRole.ADMIN)
    url = reverse("customers:contact_roles")
    assert "Decision maker" in staff.get(url).content.decode()
    assert staff.post(url, {"name": "Legal", "order": 50}).status_code == 403
    assert admin.post(url, {"name": "Legal", "order": 50}).status_code == 302
    legal = ContactRole.objects.get(name="Legal")
    admin.post(
        reverse("customers:contact_role_update", args=[legal.pk]), {"name": "Counsel", "order": 50}
    )
    admin.post(reverse("customers:contact_role_archive", args=[legal.pk]))
    legal.refresh_from_db()
    assert legal.name == "Counsel" and legal.is_archived
    again = admin.post(url, {"name": "counsel", "order": 1})
    assert again.status_code == 200 and "already" in again.content.decode()


# --- Scope ------------------------------------------------------------------------------------


def test_a_limited_staff_user_cannot_see_or_reach_other_customers_contacts(in_tenant, acme):
    owner = UserFactory(role=StaffRole.OWNER)
    theirs = CustomerFactory(name="Theirs Inc", contact_name="")
    mine_contact = services.contact_create(customer=acme, actor=None, name="Mine Person")
    their_contact = services.contact_create(customer=theirs, actor=None, name="Their Person")
    member = UserFactory(role=StaffRole.STAFF)
    staff_customer_access_set(
        member=member, access="assigned", teams=[], customers=[acme], actor=owner
    )
    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(member)
    listed = client.get(reverse("customers:contact_list")).content.decode()
    assert "Mine Person" in listed and "Their Person" not in listed
    assert client.get(mine_contact.get_absolute_url()).status_code == 200
    for name in ("contact_detail", "contact_update", "contact_archive"):
        assert client.get(reverse(f"customers:{name}", args=[their_contact.pk])).status_code == 404
    missing = client.get(reverse("customers:contact_detail", args=[999999]))
    assert missing.status_code == 404
    assert (
        client.post(
            reverse("customers:contact_create"), {"customer": theirs.pk, "name": "Sneaky"}
        ).status_code
        == 200
    )  # the customer is not a choice: a form error
    assert not Contact.objects.filter(name="Sneaky").exists()
    assert not Customer.objects.visible_to(member).search("their person").exists()


def test_contacts_of_a_deleted_customer_leave_the_list(staff, acme):
    contact = services.contact_create(customer=acme, actor=None, name="Ghost Contact")
    Customer.objects.filter(pk=acme.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert "Ghost Contact" not in staff.get(reverse("customers:contact_list")).content.decode()
    assert staff.get(contact.get_absolute_url()).status_code == 404


def test_portal_users_and_viewers_do_not_get_the_staff_pages(portal_client, client_as, acme):
    contact = services.contact_create(customer=acme, actor=None, name="Private")
    portal = portal_client(acme)
    assert portal.get(reverse("customers:contact_list")).status_code == 403
    assert portal.get(contact.get_absolute_url()).status_code == 403
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.get(contact.get_absolute_url()).status_code == 200
    assert viewer.get(reverse("customers:contact_create")).status_code == 403
    assert viewer.post(reverse("customers:contact_archive", args=[contact.pk])).status_code == 403


# --- Query counts -----------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_contact_list_and_the_contacts_tab_run_constant_queries(staff, acme):
    roles = [role(PRIMARY), role(BILLING)]
    for n in range(2):
        services.contact_create(customer=acme, actor=None, name=f"First {n}", roles=roles)
    list_url = reverse("customers:contact_list")
    tab_url = reverse("customers:customer_contacts", args=[acme.pk])
    detail_url = acme.get_absolute_url()
    small = [_count(staff, url) for url in (list_url, tab_url, detail_url)]
    for n in range(20):
        other = CustomerFactory(contact_name="") if n % 4 == 0 else acme
        services.contact_create(customer=other, actor=None, name=f"More {n}", roles=roles)
    large = [_count(staff, url) for url in (list_url, tab_url, detail_url)]
    assert large == small


def test_demo_customers_come_with_their_contacts(in_tenant):
    from customers.demo import create_demo_customers

    create_demo_customers(count=20)
    assert Contact.objects.filter(roles__key=PRIMARY).count() == 20
    assert Customer.objects.search(Contact.objects.first().email).exists()


def test_recipients_of_many_customers_come_in_one_query(in_tenant, django_assert_num_queries):
    customers = [CustomerFactory(contact_name="", billing_email="") for _ in range(5)]
    for n, customer in enumerate(customers[:3]):
        services.contact_create(
            customer=customer,
            actor=None,
            name=f"Payer {n}",
            email=f"payer{n}@example.com",
            roles=[role(BILLING)],
        )
    with django_assert_num_queries(1):
        recipients = services.invoice_recipients(customers)
    assert recipients[customers[0].pk] == ("Payer 0", "payer0@example.com")
    assert recipients[customers[4].pk] == ("", customers[4].company_email)


def test_the_customer_page_shows_its_primary_and_billing_contacts(staff, acme):
    """The page's contact cards are contacts with those roles (linked), not copies; the edit
    form sends the user to the Contacts tab instead of asking for them again."""
    services.contact_create(
        customer=acme,
        actor=None,
        name="Pia Primary",
        email="pia@acme.example",
        roles=[role(PRIMARY)],
    )
    page = staff.get(acme.get_absolute_url()).content.decode()
    assert "Pia Primary" in page and "pia@acme.example" in page
    assert "Same as primary contact" in page  # nobody has the Billing role
    bill = services.contact_create(
        customer=acme,
        actor=None,
        name="Bill Payer",
        email="bill@acme.example",
        roles=[role(BILLING)],
    )
    page = staff.get(acme.get_absolute_url()).content.decode()
    assert f'href="{bill.get_absolute_url()}"' in page
    form = staff.get(reverse("customers:customer_update", args=[acme.pk])).content.decode()
    assert "contact_email" not in form
    assert reverse("customers:customer_contacts", args=[acme.pk]) in form
