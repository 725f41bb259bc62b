"""What a customer admin configures goes through portal.services: permission sets
(permission_set_save) and the company's settings (company_settings_update: the contact
details and the portal profile together, a concurrent change refused with a message)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import StaffRole
from customers import services as customer_services
from customers.models import Customer
from portal.models import CompanyProfile, PermissionSet
from portal.services import company_settings_update, permission_set_save
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def url(name, company, **kwargs):
    return reverse(f"portal:{name}", kwargs={"cid": company.pk, **kwargs})


# --- Permission sets ------------------------------------------------------------------------


def test_an_admin_creates_and_changes_a_permission_set_with_history(portal_client, company):
    admin = portal_client(company, "admin")
    response = admin.post(
        url("permission_set_create", company),
        {"name": " Finance ", "permissions": ["view_billing", "view_overview"]},
        follow=True,
    )
    assert "Saved the permission set “Finance”." in response.content.decode()
    finance = PermissionSet.objects.get(customer=company)
    assert finance.name == "Finance"
    assert finance.permissions == ["view_overview", "view_billing"]  # the catalogue's order
    created = finance.history.get()
    assert (created.history_user, created.history_change_reason) == (admin.user, "Created")

    admin.post(
        url("permission_set_update", company, sid=finance.pk),
        {"name": "Finance team", "permissions": ["view_billing"]},
    )
    finance.refresh_from_db()
    assert (finance.name, finance.permissions) == ("Finance team", ["view_billing"])
    changed = finance.history.order_by("-history_id").first()
    assert (changed.history_user, changed.history_change_reason) == (admin.user, "Changed")


def test_saving_an_unchanged_permission_set_writes_no_history(portal_client, company):
    admin = portal_client(company, "admin")
    finance = permission_set_save(
        company=company, name="Finance", permissions=["view_billing"], actor=admin.user
    )
    response = admin.post(
        url("permission_set_update", company, sid=finance.pk),
        {"name": "Finance", "permissions": ["view_billing"]},
    )
    assert response.status_code == 302
    assert finance.history.count() == 1


def test_a_name_the_company_already_uses_is_a_message_and_nothing_is_written(
    portal_client, company
):
    admin = portal_client(company, "admin")
    permission_set_save(
        company=company, name="Finance", permissions=["view_billing"], actor=admin.user
    )
    with pytest.raises(ValidationError) as refused:
        permission_set_save(
            company=company, name="FINANCE", permissions=["view_assets"], actor=admin.user
        )
    assert "already has a permission set" in str(refused.value.message_dict["name"])
    response = admin.post(
        url("permission_set_create", company), {"name": "finance", "permissions": ["view_assets"]}
    )
    assert response.status_code == 200
    assert "already has a permission set" in response.content.decode()
    assert PermissionSet.objects.filter(customer=company).count() == 1


def test_only_who_manages_users_saves_permission_sets(portal_client, company):
    reader = portal_client(company, "read_only")
    with pytest.raises(PermissionDenied):
        permission_set_save(
            company=company, name="Sneaky", permissions=["manage_users"], actor=reader.user
        )
    response = reader.post(
        url("permission_set_create", company), {"name": "Sneaky", "permissions": ["view_users"]}
    )
    assert response.status_code == 403
    assert not PermissionSet.objects.exists()


def test_another_companys_permission_set_cannot_be_changed(portal_client, company):
    admin = portal_client(company, "admin")
    other = CustomerFactory()
    theirs = permission_set_save(
        company=other, name="Theirs", permissions=["view_billing"], actor=None
    )
    with pytest.raises(ValidationError, match="does not belong"):
        permission_set_save(
            company=company,
            permission_set=theirs,
            name="Mine now",
            permissions=["view_billing"],
            actor=admin.user,
        )
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"
    response = admin.post(
        url("permission_set_update", company, sid=theirs.pk),
        {"name": "Mine now", "permissions": ["view_billing"]},
    )
    assert response.status_code == 404


# --- Company settings -----------------------------------------------------------------------

DETAILS = {"details-company_email": "hello@acme.example", "details-city": "Leeds"}
PROFILE = {"profile-accent_colour": "#ff0000", "profile-usage_alert_percent": "90"}


def opened_version(client, company) -> int:
    form = client.get(url("settings", company)).context["details_form"]
    return form["version"].value()


def test_details_and_profile_are_saved_together_with_history(portal_client, company):
    admin = portal_client(company, "admin")
    version = opened_version(admin, company)
    assert not CompanyProfile.objects.filter(customer=company).exists()  # a read writes nothing
    response = admin.post(
        url("settings", company), {**DETAILS, **PROFILE, "details-version": version}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    company.refresh_from_db()
    assert (company.city, company.version) == ("Leeds", version + 1)
    details_record = company.history.order_by("-history_id").first()
    assert details_record.history_user == admin.user
    profile = CompanyProfile.objects.get(customer=company)
    assert (profile.accent_colour, profile.usage_alert_percent) == ("#ff0000", 90)
    profile_record = profile.history.get()
    assert (profile_record.history_user, profile_record.history_change_reason) == (
        admin.user,
        "Company settings changed",
    )


def test_saving_unchanged_settings_writes_nothing(portal_client, company):
    admin = portal_client(company, "admin")
    admin.post(url("settings", company), {**DETAILS, **PROFILE})
    company.refresh_from_db()
    version, records = company.version, company.history.count()
    profile = CompanyProfile.objects.get(customer=company)
    profile_records = profile.history.count()
    fields = admin.get(url("settings", company)).context["details_form"]
    response = admin.post(
        url("settings", company),
        {**DETAILS, **PROFILE, "details-version": fields["version"].value()},
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.version, company.history.count()) == (version, records)
    assert profile.history.count() == profile_records


def test_a_concurrent_change_is_a_message_and_nothing_is_written(portal_client, company, make_user):
    admin = portal_client(company, "admin")
    version = opened_version(admin, company)
    # Meanwhile someone at the provider corrects the company's email address.
    customer_services.customer_update(
        customer_id=company.pk,
        data={"company_email": "new@acme.example"},
        expected_version=version,
        actor=make_user(role=StaffRole.STAFF),
    )
    response = admin.post(
        url("settings", company),
        {
            **DETAILS,
            **PROFILE,
            "details-company_email": "old@acme.example",
            "details-version": version,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed these settings" in page
    assert "Company email" in page and "reload the page" in page
    company.refresh_from_db()
    assert (company.company_email, company.city) == ("new@acme.example", "")
    assert not CompanyProfile.objects.filter(customer=company).exists()


def test_a_change_to_what_the_portal_does_not_show_is_no_conflict(
    portal_client, company, make_user
):
    admin = portal_client(company, "admin")
    version = opened_version(admin, company)
    customer_services.customer_update(
        customer_id=company.pk,
        data={"internal_notes": "Prefers phone calls."},
        expected_version=version,
        actor=make_user(role=StaffRole.STAFF),
    )
    response = admin.post(
        url("settings", company), {**DETAILS, **PROFILE, "details-version": version}
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.city, company.internal_notes) == ("Leeds", "Prefers phone calls.")


def test_nothing_is_partial_when_the_profile_is_refused(portal_client, company):
    admin = portal_client(company, "admin")
    version = Customer.objects.get(pk=company.pk).version
    with pytest.raises(ValidationError) as refused:
        company_settings_update(
            company=company,
            details={"city": "Leeds"},
            profile={"accent_colour": "red"},
            expected_version=version,
            actor=admin.user,
        )
    assert "accent_colour" in refused.value.message_dict
    company.refresh_from_db()
    assert (company.city, company.version) == ("", version)
    assert not company.history.filter(city="Leeds").exists()
    assert not CompanyProfile.objects.filter(customer=company).exists()


def test_only_who_manages_settings_changes_them(portal_client, company):
    reader = portal_client(company, "read_only")
    with pytest.raises(PermissionDenied):
        company_settings_update(
            company=company,
            details={"city": "Leeds"},
            profile={},
            expected_version=None,
            actor=reader.user,
        )
    assert reader.post(url("settings", company), {**DETAILS, **PROFILE}).status_code == 403
    company.refresh_from_db()
    assert company.city == ""


def test_the_primary_contact_is_one_of_the_companys_contacts(portal_client, company):
    """The settings page's primary contact is the contact with the Primary role: typed
    there, it is added (then changed) as a contact, with history; emptied, the contact stays
    and is no longer the primary one."""
    admin = portal_client(company, "admin")

    def save(**people):
        version = Customer.objects.get(pk=company.pk).version
        fields = {f"details-contact_{key}": value for key, value in people.items()}
        response = admin.post(
            url("settings", company),
            {**DETAILS, **PROFILE, "details-version": version, **fields},
        )
        assert response.status_code == 302, response.content.decode()[-3000:]

    save(name="Pat Primary", email="pat@acme.example", phone="+44 20 7946 0001")
    (contact,) = company.contacts.all()
    assert (contact.name, contact.email, contact.roles_label) == (
        "Pat Primary",
        "pat@acme.example",
        "Primary",
    )
    assert contact.history.get().history_user == admin.user
    page = admin.get(url("settings", company)).content.decode()
    assert 'value="pat@acme.example"' in page
    assert "Pat Primary" in admin.get(url("overview", company)).content.decode()

    save(name="Pat Primary", email="pat.p@acme.example", phone="+44 20 7946 0001")
    contact.refresh_from_db()
    assert contact.email == "pat.p@acme.example" and company.contacts.count() == 1

    save(name="", email="", phone="")
    contact.refresh_from_db()
    assert contact.roles_label == "" and not contact.is_archived


def test_a_bad_primary_contact_email_is_a_message_and_nothing_is_written(portal_client, company):
    admin = portal_client(company, "admin")
    response = admin.post(
        url("settings", company),
        {**DETAILS, **PROFILE, "details-contact_name": "Pat", "details-contact_email": "nope"},
    )
    assert response.status_code == 200 and "valid email" in response.content.decode()
    assert not company.contacts.exists()
