import pytest
from django.db import connection
from django.test import Client

from accounts.models import SignInEvent, StaffRole, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_staff_signs_in_on_their_tenant_host_and_sees_the_dashboard(make_user, tenant_client):
    user = make_user(role=StaffRole.STAFF, email="sam@alpha.example")
    response = sign_in(tenant_client, "SAM@alpha.example", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    dashboard = tenant_client.get("/")
    assert dashboard.status_code == 200
    assert b"Welcome" in dashboard.content
    connection.set_tenant(dashboard.wsgi_request.tenant)
    assert SignInEvent.objects.filter(user=user, succeeded=True).count() == 1


def test_credentials_of_tenant_a_do_not_work_on_tenant_b(make_user, other_tenant):
    make_user(email="sam@alpha.example")
    beta = Client(HTTP_HOST="beta.localhost")
    response = sign_in(beta, "sam@alpha.example", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in beta.session
    assert b"not correct" in response.content
    assert beta.get("/").status_code == 302
    connection.set_tenant(other_tenant)
    failed = SignInEvent.objects.get()
    assert (failed.email, failed.succeeded, failed.user) == ("sam@alpha.example", False, None)


def test_tenant_staff_cannot_sign_in_on_the_platform_host(make_user, public_client):
    make_user(role=StaffRole.OWNER, email="olivia@alpha.example")
    response = sign_in(public_client, "olivia@alpha.example", PASSWORD)
    assert response.status_code == 200
    assert public_client.get("/admin/").status_code == 302


def test_platform_operator_signs_in_on_the_platform_host(public_client):
    User.objects.create_superuser(email="op@platform.example", password=PASSWORD)
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=User.objects.get(), email="op@platform.example", verified=True, primary=True
    )
    response = sign_in(public_client, "op@platform.example", PASSWORD)
    assert response.status_code == 302
    assert public_client.get("/admin/").status_code == 200


def test_failed_sign_ins_are_rate_limited(make_user, tenant_client):
    make_user(email="target@alpha.example")
    for _ in range(5):
        response = sign_in(tenant_client, "target@alpha.example", "wrong-password")
        assert b"not correct" in response.content
    response = sign_in(tenant_client, "target@alpha.example", PASSWORD)
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content or response.status_code == 429
    assert "_auth_user_id" not in tenant_client.session
    connection.set_tenant(response.wsgi_request.tenant)
    assert SignInEvent.objects.filter(succeeded=False).count() == 5
    assert not SignInEvent.objects.filter(succeeded=True).exists()


def test_rate_limit_of_one_tenant_does_not_lock_out_another(make_user, other_tenant):
    make_user(email="shared@example.com")
    alpha = Client(HTTP_HOST="alpha.localhost")
    for _ in range(6):
        sign_in(alpha, "shared@example.com", "wrong-password")
    connection.set_tenant(other_tenant)
    from tests.factories import UserFactory

    UserFactory(email="shared@example.com")
    beta = Client(HTTP_HOST="beta.localhost")
    assert sign_in(beta, "shared@example.com", PASSWORD).status_code == 302


def test_password_reset_does_not_reveal_whether_an_account_exists(make_user, tenant_client):
    from django.core import mail

    make_user(email="known@alpha.example")
    known = tenant_client.post("/accounts/password/reset/", {"email": "known@alpha.example"})
    unknown = tenant_client.post("/accounts/password/reset/", {"email": "ghost@alpha.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["known@alpha.example"], ["ghost@alpha.example"]]
    assert "reset/key/" in mail.outbox[0].body
    assert "reset/key/" not in mail.outbox[1].body


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "", "<script>@x.y"])
def test_malformed_emails_at_sign_in_get_a_message(tenant_client, email):
    response = sign_in(tenant_client, email, "whatever")
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content or b"alert" in response.content


def test_sign_out(client_as):
    client = client_as(StaffRole.VIEWER)
    assert client.get("/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def reset_by_link(client: Client, user: User, password: str):
    from allauth.account.utils import user_pk_to_url_str

    from core.tokens import TenantPasswordResetTokenGenerator

    token = TenantPasswordResetTokenGenerator().make_token(user)
    form_url = client.get(f"/accounts/password/reset/key/{user_pk_to_url_str(user)}-{token}/")
    return client.post(form_url["Location"], {"password1": password, "password2": password})


def test_setting_a_password_from_a_link_signs_the_person_in(make_user, tenant_client):
    user = make_user(role=StaffRole.STAFF, email="new@alpha.example")
    response = reset_by_link(tenant_client, user, "Harbour-Lights-2026")
    assert response.status_code == 302 and response["Location"] == "/"
    assert tenant_client.get("/").status_code == 200  # signed in: the dashboard, no dead end


def test_a_second_factor_is_still_asked_after_a_reset(make_user, tenant_client):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = make_user(role=StaffRole.STAFF, email="careful@alpha.example")
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    response = reset_by_link(tenant_client, user, "Harbour-Lights-2026")
    assert response.status_code == 302 and "/accounts/2fa/authenticate/" in response["Location"]
    assert tenant_client.get("/")["Location"].startswith("/accounts/login/")
