import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole, User
from customers import services as customer_services
from portal.models import CompanyDomain, CompanyProfile, Membership, PermissionSet
from tests.factories import PASSWORD, CustomerFactory, LocationFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def url(name, company, **kwargs):
    return reverse(f"portal:{name}", kwargs={"cid": company.pk, **kwargs})


def test_staff_admin_creates_a_customer_admin_who_sets_a_password_and_lands_in_the_portal(
    client_as, company, tenant_client, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            reverse("portal:customer_users", args=[company.pk]),
            {
                "first_name": "Ada",
                "last_name": "Acme",
                "email": "Ada@Acme.example",
                "role": "admin",
            },
        )
    assert response.status_code == 302
    membership = Membership.objects.get(customer=company)
    assert membership.role == "admin" and not membership.user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["ada@acme.example"]
    assert "password" not in message.body.lower().split("choose your password")[0].replace(
        "set-password", ""
    )
    path = re.search(
        r"http://alpha\.localhost(/accounts/password/reset/key/\S+)", message.body
    ).group(1)
    form_url = tenant_client.get(path)["Location"]
    response = tenant_client.post(
        form_url, {"password1": "Sunny-Harbour-88", "password2": "Sunny-Harbour-88"}
    )
    # Choosing the password signs her in and takes her to the portal: no dead end.
    assert response["Location"] == "/portal/"
    assert tenant_client.get("/portal/")["Location"] == url("overview", company)
    tenant_client.logout()
    response = tenant_client.post(
        "/accounts/login/", {"login": "ada@acme.example", "password": "Sunny-Harbour-88"}
    )
    assert response["Location"] == "/portal/"
    # Staff see that the welcome email was used.
    content = admin.get(reverse("portal:customer_users", args=[company.pk])).content.decode()
    assert "Used — password set" in content


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "owner@alpha.example"}, "already uses this email"),
        ({"password": "short"}, "too short"),
        ({"password": "12345678901"}, "entirely numeric"),
        ({"email": "not-an-email"}, "valid email"),
        ({"role": "emperor"}, "valid choice"),
        # Like the invitee's own email: refused with a reason (a stand-in user was a 500).
        ({"password": "new@acme.example1"}, "too similar to the email"),
    ],
)
def test_bad_customer_user_input_changes_nothing(client_as, company, data, message):
    admin = client_as(StaffRole.ADMIN)
    payload = {
        "first_name": "A",
        "last_name": "B",
        "email": "new@acme.example",
        "role": "admin",
        **data,
    }
    response = admin.post(reverse("portal:customer_users", args=[company.pk]), payload)
    assert message in response.content.decode()
    assert not Membership.objects.exists()
    assert not mail.outbox


def test_staff_role_cannot_create_customer_users(client_as, company):
    staff = client_as(StaffRole.STAFF)
    response = staff.post(
        reverse("portal:customer_users", args=[company.pk]),
        {"first_name": "A", "last_name": "B", "email": "x@acme.example", "role": "admin"},
    )
    assert response.status_code == 403


def test_customer_admin_invites_a_read_only_user_who_sees_but_cannot_change(
    portal_client, company, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            url("user_invite", company),
            {
                "first_name": "Reed",
                "last_name": "Only",
                "email": "reed@acme.example",
                "role": "read_only",
            },
        )
    assert response.status_code == 302
    reader = Client(HTTP_HOST="alpha.localhost")
    reader.force_login(User.objects.get(email="reed@acme.example"))
    location = LocationFactory(customer=company, name="Main office")
    assert reader.get(url("locations", company)).status_code == 200
    assert "Main office" in reader.get(url("locations", company)).content.decode()
    assert reader.get(url("settings", company)).status_code == 403
    assert reader.get(url("user_invite", company)).status_code == 403
    assert (
        reader.post(url("location_edit", company, lid=location.pk), {"name": "Hacked"}).status_code
        == 403
    )
    location.refresh_from_db()
    assert location.name == "Main office"


def test_customer_admin_cannot_create_or_become_a_customer_admin(portal_client, company):
    admin = portal_client(company, "admin")
    response = admin.post(
        url("user_invite", company),
        {"first_name": "Evil", "last_name": "Twin", "email": "evil@acme.example", "role": "admin"},
    )
    assert "valid choice" in response.content.decode()
    assert Membership.objects.count() == 1
    member = MembershipFactory(customer=company, role="read_only")
    admin.post(url("user_detail", company, mid=member.pk), {"action": "role", "role": "admin"})
    member.refresh_from_db()
    assert member.role == "read_only"
    admin.post(
        url("user_detail", company, mid=admin.membership.pk), {"action": "role", "role": "full"}
    )
    admin.membership.refresh_from_db()
    assert admin.membership.role == "admin"


def test_a_full_access_user_cannot_raise_their_own_role(portal_client, company):
    full = portal_client(company, "full")
    response = full.post(
        url("user_detail", company, mid=full.membership.pk), {"action": "role", "role": "admin"}
    )
    assert response.status_code == 403
    full.membership.refresh_from_db()
    assert full.membership.role == "full"


def test_role_changes_for_another_companys_user_are_404(portal_client, company):
    admin = portal_client(company, "admin")
    stranger = MembershipFactory(customer=CustomerFactory(name="Globex"), role="read_only")
    response = admin.post(
        url("user_detail", company, mid=stranger.pk), {"action": "role", "role": "full"}
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.role == "read_only"


def test_admin_manages_users_deactivate_reactivate_remove_and_reset(
    portal_client, company, django_capture_on_commit_callbacks
):
    admin = portal_client(company, "admin")
    member = MembershipFactory(
        customer=company, role="read_only", user__email="leaver@acme.example"
    )
    admin.post(url("user_detail", company, mid=member.pk), {"action": "deactivate"})
    member.user.refresh_from_db()
    assert not member.user.is_active
    admin.post(url("user_detail", company, mid=member.pk), {"action": "reactivate"})
    member.user.refresh_from_db()
    assert member.user.is_active
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("user_detail", company, mid=member.pk), {"action": "reset"})
    assert mail.outbox[-1].to == ["leaver@acme.example"] and "reset/key/" in mail.outbox[-1].body
    admin.post(url("user_detail", company, mid=member.pk), {"action": "remove"})
    assert not User.objects.filter(email="leaver@acme.example").exists()


def test_limited_and_custom_roles(portal_client, company):
    limited = portal_client(company, "limited", sections=["locations"])
    assert limited.get(url("locations", company)).status_code == 200
    assert limited.get(url("assets", company)).status_code == 403
    assert limited.get(url("overview", company)).status_code == 403
    assert limited.get("/portal/")["Location"] == url("locations", company)
    finance = PermissionSet.objects.create(
        customer=company, name="Finance", permissions=["view_assets"]
    )
    custom = portal_client(company, "custom", permission_set=finance)
    assert custom.get(url("assets", company)).status_code == 200
    assert custom.get(url("users", company)).status_code == 403


def test_customer_users_never_reach_the_console(portal_client, company):
    admin = portal_client(company, "admin")
    assert admin.get("/")["Location"] == "/portal/"
    for path in [
        "/customers/",
        f"/customers/{company.pk}/",
        "/assets/",
        "/settings/",
        "/settings/team/",
    ]:
        assert admin.get(path).status_code == 403, path
    assert admin.get("/admin/").status_code == 403


def test_staff_get_403_in_the_portal(client_as, company):
    owner = client_as(StaffRole.OWNER)
    assert owner.get(url("overview", company)).status_code == 403


def test_parent_company_sees_its_sub_accounts_but_not_the_other_way(portal_client, company):
    child = CustomerFactory(name="Acme Kids", parent=company)
    parent_admin = portal_client(company, "admin")
    assert parent_admin.get(url("overview", child)).status_code == 200
    child_admin = portal_client(child, "admin")
    assert child_admin.get(url("overview", company)).status_code == 404
    assert child_admin.get(url("overview", child)).status_code == 200


def test_company_switcher_without_javascript_goes_to_the_chosen_company(portal_client, company):
    child = CustomerFactory(name="Acme Kids", parent=company)
    stranger = CustomerFactory(name="Elsewhere")
    parent_admin = portal_client(company, "admin")
    response = parent_admin.get("/portal/", {"company": child.pk})
    assert response.status_code == 302 and response.url == url("overview", child)
    assert parent_admin.get("/portal/", {"company": stranger.pk}, follow=True).status_code == 404
    assert parent_admin.get("/portal/", {"company": "junk"}).url == url("overview", company)


def test_suspended_company_sees_only_the_explanation(portal_client, company):
    admin = portal_client(company, "admin")
    company.portal_access = "suspended"
    company.account_status_reason = "Invoice INV-42 is 30 days overdue."
    company.save()
    response = admin.get(url("overview", company))
    assert response["Location"] == reverse("portal:suspended")
    page = admin.get(reverse("portal:suspended"))
    assert page.status_code == 403 and "INV-42" in page.content.decode()


def test_deactivated_company_cannot_sign_in(company, tenant_client):
    member = MembershipFactory(customer=company, role="admin", user__email="gone@acme.example")
    company.portal_access = "deactivated"
    company.save()
    response = tenant_client.post(
        "/accounts/login/", {"login": "gone@acme.example", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert "_auth_user_id" not in tenant_client.session
    assert member.user.pk


def test_deleting_the_company_deactivates_users_restore_brings_them_back_purge_frees_emails(
    company,
):
    member = MembershipFactory(customer=company, user__email="kept@acme.example")
    customer_services.customer_soft_delete(customer_id=company.pk, actor=None)
    member.user.refresh_from_db()
    assert not member.user.is_active
    customer_services.customer_restore(customer_id=company.pk, actor=None)
    member.user.refresh_from_db()
    assert member.user.is_active
    customer_services.customer_soft_delete(customer_id=company.pk, actor=None)
    customer_services.customer_purge(customer_id=company.pk, actor=None)
    assert not User.objects.filter(email="kept@acme.example").exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("logo.txt", b"hello", content_type="text/plain"), "valid image"),
        (
            SimpleUploadedFile("logo.png", b"not really a png", content_type="image/png"),
            "valid image",
        ),
        (
            SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * 600_000, content_type="image/png"),
            "valid image",
        ),
    ],
)
def test_bad_logos_are_refused(portal_client, company, upload, message):
    admin = portal_client(company, "admin")
    response = admin.post(
        url("settings", company),
        {
            "profile-logo": upload,
            "profile-accent_colour": "#123456",
            "profile-usage_alert_percent": "80",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CompanyProfile.objects.filter(customer=company).exclude(logo="").exists()


def test_settings_save_contact_details_and_branding(portal_client, company):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    admin = portal_client(company, "admin")
    response = admin.post(
        url("settings", company),
        {
            "details-company_email": "hello@acme.example",
            "details-city": "Leeds",
            "profile-logo": SimpleUploadedFile(
                "logo.png", buffer.getvalue(), content_type="image/png"
            ),
            "profile-accent_colour": "#ff0000",
            "profile-usage_alert_percent": "90",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    company.refresh_from_db()
    assert company.city == "Leeds"
    profile = CompanyProfile.objects.get(customer=company)
    assert profile.accent_colour == "#ff0000" and profile.logo


def test_joining_by_email_domain_needs_a_confirmed_address_and_an_admins_approval(
    portal_client, company, tenant_client, django_capture_on_commit_callbacks
):
    CompanyProfile.objects.create(customer=company, allow_domain_join=True)
    CompanyDomain.objects.create(
        customer=company, domain="acme.example", token="t", verified_at=timezone.now()
    )
    admin = portal_client(company, "admin", user__email="boss@acme.example")
    with django_capture_on_commit_callbacks(execute=True):
        tenant_client.post(
            reverse("portal:join"),
            {"first_name": "Jo", "last_name": "Join", "email": "jo@acme.example"},
        )
        outsider = tenant_client.post(
            reverse("portal:join"), {"first_name": "X", "last_name": "Y", "email": "x@evil.example"}
        )
    assert "Check your email" in outsider.content.decode()  # same answer, nothing sent
    (confirm,) = mail.outbox
    link = re.search(r"http://alpha\.localhost(/portal/join/confirm/\S+)", confirm.body).group(1)
    assert tenant_client.get(link[:-5] + "XXXX/").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        tenant_client.post(link)
    assert mail.outbox[-1].to == ["boss@acme.example"]
    assert not User.objects.filter(email="jo@acme.example").exists()
    join_request = company.join_requests.get()
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(url("join_decision", company, rid=join_request.pk, decision="approve"))
    joined = User.objects.get(email="jo@acme.example")
    assert joined.membership.role == "read_only" and joined.membership.customer == company
    assert joined.emailaddress_set.get().verified


def test_staff_troubleshooting_actions(client_as, company, django_capture_on_commit_callbacks):
    admin = client_as(StaffRole.ADMIN)
    member = MembershipFactory(customer=company, role="admin", user__email="stuck@acme.example")
    member.user.set_unusable_password()
    member.user.save()
    action = reverse("portal:customer_user_action", args=[company.pk, member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(action, {"action": "resend"})
        admin.post(action, {"action": "reset"})
    assert [m.to for m in mail.outbox] == [["stuck@acme.example"], ["stuck@acme.example"]]
    assert admin.post(action, {"action": "unlock"}, follow=True).status_code == 200
    admin.post(action, {"action": "change_email", "email": "new-stuck@acme.example"})
    member.user.refresh_from_db()
    assert member.user.email == "stuck@acme.example"
    assert member.user.emailaddress_set.filter(
        email="new-stuck@acme.example", verified=False
    ).exists()
    other = CustomerFactory(name="Other")
    assert (
        admin.post(
            reverse("portal:customer_user_action", args=[other.pk, member.pk]), {"action": "reset"}
        ).status_code
        == 404
    )


def test_staff_resend_to_someone_who_chose_a_password_says_so(
    client_as, company, django_capture_on_commit_callbacks
):
    admin = client_as(StaffRole.ADMIN)
    member = MembershipFactory(customer=company, user__email="done@acme.example")
    action = reverse("portal:customer_user_action", args=[company.pk, member.pk])
    with django_capture_on_commit_callbacks(execute=True):
        page = admin.post(action, {"action": "resend"}, follow=True)
    assert "already chosen a password" in page.content.decode()
    assert mail.outbox == []


def test_reactivating_beyond_the_seats_on_the_users_page_says_why(portal_client, company):
    from datetime import date

    from tests.factories import PlanFactory, subscribe

    admin = portal_client(company, "admin")
    subscribe(company, PlanFactory(), seats=1, start_date=date(2026, 1, 1))
    sleeper = MembershipFactory(customer=company, user__is_active=False)
    page = admin.post(
        url("user_detail", company, mid=sleeper.pk), {"action": "reactivate"}, follow=True
    )
    assert page.status_code == 200 and "seat" in page.content.decode()
    sleeper.user.refresh_from_db()
    assert not sleeper.user.is_active


def test_logos_are_served_only_on_their_tenants_host(portal_client, company):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "blue").save(buffer, "PNG")
    admin = portal_client(company, "admin")
    admin.post(
        url("settings", company),
        {
            "profile-logo": SimpleUploadedFile(
                "logo.png", buffer.getvalue(), content_type="image/png"
            ),
            "profile-accent_colour": "#123456",
            "profile-usage_alert_percent": "80",
        },
    )
    logo_url = CompanyProfile.objects.get(customer=company).logo.url
    assert logo_url.startswith("/media/alpha/")
    assert admin.get(logo_url).status_code == 200
    assert Client(HTTP_HOST="beta.localhost").get(logo_url).status_code == 404
    assert admin.get("/media/beta/logos/logo.png").status_code == 404
    assert admin.get("/media/alpha/../alpha/logos/x.png").status_code == 404


def test_seat_usage_is_shown_before_inviting_and_invite_is_off_at_the_limit(portal_client, company):
    from datetime import date

    from tests.factories import PlanFactory, subscribe

    admin = portal_client(company, "admin")
    subscription = subscribe(company, PlanFactory(), seats=3, start_date=date(2026, 1, 1))
    MembershipFactory(customer=company)
    users = admin.get(url("users", company)).content.decode()
    assert "2 of 3 seats in use" in users
    assert f'href="{url("user_invite", company)}"' in users
    subscription.seats = 2
    subscription.save()
    users = admin.get(url("users", company)).content.decode()
    assert "2 of 2 seats in use" in users and "all in use" in users
    assert f'href="{url("user_invite", company)}"' not in users  # a disabled button instead
    invite = admin.get(url("user_invite", company)).content.decode()
    assert "all in use. Deactivate a user first" in invite
    assert 'type="submit" disabled' in invite
