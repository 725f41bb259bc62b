"""A deactivated account's sign-in answers exactly like a wrong password."""

from accounts.models import SignInEvent, StaffRole
from tests.factories import PASSWORD, UserFactory


def test_a_deactivated_accounts_right_password_reads_like_a_wrong_one(tenant_client, in_tenant):
    user = UserFactory(role=StaffRole.STAFF, is_active=False)
    right = tenant_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    wrong = tenant_client.post(
        "/accounts/login/", {"login": user.email, "password": "not-the-password-1"}
    )
    assert right.status_code == wrong.status_code == 200
    assert right.headers.get("Location") is None
    assert "_auth_user_id" not in tenant_client.session

    def errors(response):
        return sorted(str(e) for e in response.context["form"].non_field_errors())

    assert errors(right) == errors(wrong) and errors(right)
    assert SignInEvent.objects.filter(email__iexact=user.email, succeeded=False).count() == 2


def test_an_active_account_still_signs_in(tenant_client, in_tenant):
    user = UserFactory(role=StaffRole.STAFF)
    response = tenant_client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
