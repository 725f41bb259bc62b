import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import StaffRole, User

pytestmark = pytest.mark.django_db


def test_dashboard_shows_the_workspace_team_and_navigation(
    client_as, django_assert_max_num_queries
):
    client = client_as(StaffRole.ADMIN)
    with django_assert_max_num_queries(23):
        response = client.get("/")
    content = response.content.decode()
    assert "Alpha Services" in content
    assert 'aria-current="page"' in content
    assert "Team by role" in content
    assert "Recent failed sign-ins" in content


def test_dashboard_query_count_does_not_grow_with_the_team(
    client_as, make_user, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(StaffRole.OWNER)
    with CaptureQueriesContext(connection) as small:
        client.get("/settings/team/")
    for _ in range(20):
        make_user(role=StaffRole.VIEWER)
    with CaptureQueriesContext(connection) as large:
        response = client.get("/settings/team/")
    assert response.status_code == 200
    assert len(large) == len(small)


def test_owner_changes_workspace_settings(client_as, tenant):
    client = client_as(StaffRole.OWNER)
    response = client.post(
        reverse("core:settings"),
        {
            "name": "Alpha Renamed",
            "currency": "EUR",
            "locale": "de-DE",
            "timezone": "Europe/Berlin",
            "soft_delete_grace_days": 14,
        },
    )
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.currency, tenant.timezone) == (
        "Alpha Renamed",
        "EUR",
        "Europe/Berlin",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("currency", "XXX"),
        ("timezone", "Mars/Olympus"),
        ("soft_delete_grace_days", "-3"),
        ("soft_delete_grace_days", "abc"),
        ("name", ""),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(client_as, tenant, field, value):
    client = client_as(StaffRole.OWNER)
    data = {
        "name": "Changed",
        "currency": "EUR",
        "locale": "en-US",
        "timezone": "UTC",
        "soft_delete_grace_days": 10,
    }
    data[field] = value
    response = client.post(reverse("core:settings"), data)
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    tenant.refresh_from_db()
    assert tenant.name == "Alpha Services"


def test_owner_invites_staff_who_gets_a_set_password_link(
    client_as, django_capture_on_commit_callbacks
):
    client = client_as(StaffRole.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("core:staff_invite"),
            {
                "first_name": "Ivy",
                "last_name": "Invitee",
                "email": "Ivy@Alpha.example",
                "role": "admin",
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="ivy@alpha.example")
    assert invited.role == StaffRole.ADMIN and not invited.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["ivy@alpha.example"]
    assert "http://alpha.localhost/accounts/password/reset/key/" in message.body


@pytest.mark.parametrize("email", ["owner@alpha.example", "OWNER@ALPHA.EXAMPLE", "not-an-email"])
def test_inviting_a_used_or_malformed_email_is_refused(client_as, email):
    client = client_as(StaffRole.OWNER)
    before = User.objects.count()
    response = client.post(
        reverse("core:staff_invite"),
        {"first_name": "Dup", "last_name": "Licate", "email": email, "role": "staff"},
    )
    assert response.status_code == 200
    assert User.objects.count() == before
    assert not mail.outbox


def test_owner_cannot_demote_themselves(client_as):
    client = client_as(StaffRole.OWNER)
    me = client.user
    response = client.post(
        reverse("core:staff_update", kwargs={"pk": me.pk}), {"role": "viewer", "is_active": "on"}
    )
    assert response.status_code == 200
    assert b"cannot demote or deactivate yourself" in response.content
    me.refresh_from_db()
    assert me.role == StaffRole.OWNER


def test_owner_changes_a_role_and_deactivated_staff_cannot_sign_in(
    client_as, make_user, tenant_client
):
    client = client_as(StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF, email="leaver@alpha.example")
    client.post(reverse("core:staff_update", kwargs={"pk": member.pk}), {"role": "viewer"})
    member.refresh_from_db()
    assert member.role == StaffRole.VIEWER and not member.is_active
    from tests.factories import PASSWORD

    response = tenant_client.post(
        "/accounts/login/", {"login": "leaver@alpha.example", "password": PASSWORD}
    )
    assert "_auth_user_id" not in tenant_client.session
    assert response.status_code in (200, 302)


def test_unknown_role_is_refused(client_as, make_user):
    client = client_as(StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF)
    response = client.post(
        reverse("core:staff_update", kwargs={"pk": member.pk}),
        {"role": "emperor", "is_active": "on"},
    )
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.role == StaffRole.STAFF


def test_names_with_markup_are_shown_as_text(client_as, make_user):
    client = client_as(StaffRole.OWNER)
    make_user(first_name="<script>alert(1)</script>", role=StaffRole.STAFF)
    response = client.get(reverse("core:team"))
    assert b"<script>alert(1)</script>" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content
