import re

import pytest
from django.core import mail
from django.db import connection

from accounts.models import StaffRole, User
from accounts.services import staff_invite

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(in_tenant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = staff_invite(
            email="new@alpha.example",
            first_name="Nina",
            last_name="New",
            role=StaffRole.STAFF,
            base_url="http://alpha.localhost:8000",
            workspace_name="Alpha Services",
        )
    (message,) = mail.outbox
    link = re.search(r"http://alpha\.localhost:8000(\S+)", message.body.split("link:")[1])
    return user, link.group(1)


def open_set_password_page(client, path):
    response = client.get(path)
    assert response.status_code == 302  # allauth moves the key out of the URL
    return response["Location"]


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1!", "too short"),
        ("12345678901", "entirely numeric"),
        ("password123", "too common"),
        ("new@alpha.example", "too similar"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(invited, tenant_client, password, message):
    user, path = invited
    form_url = open_set_password_page(tenant_client, path)
    response = tenant_client.post(form_url, {"password1": password, "password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()
    connection.set_tenant(response.wsgi_request.tenant)
    assert not User.objects.get(pk=user.pk).has_usable_password()


def test_set_password_form_shows_the_complexity_hints(invited, tenant_client):
    _, path = invited
    response = tenant_client.get(open_set_password_page(tenant_client, path))
    content = response.content.decode()
    for hint in [
        "At least 8 characters",
        "Uppercase letters",
        "Numbers (0–9)",
        "Special characters",
    ]:
        assert hint in content


def test_invitation_link_sets_a_password_once_and_verifies_the_email(invited, tenant_client):
    user, path = invited
    form_url = open_set_password_page(tenant_client, path)
    response = tenant_client.post(
        form_url, {"password1": "Harbour-Lights-77", "password2": "Harbour-Lights-77"}
    )
    assert response.status_code == 302
    response = tenant_client.post(
        "/accounts/login/", {"login": "new@alpha.example", "password": "Harbour-Lights-77"}
    )
    assert response.status_code == 302 and response["Location"] == "/"

    tenant_client.post("/accounts/logout/")
    reused = tenant_client.get(path, follow=True)
    assert b"invalid" in reused.content.lower()
    connection.set_tenant(reused.wsgi_request.tenant)
    assert user.emailaddress_set.get().verified


def test_tampered_link_is_refused(invited, tenant_client):
    _, path = invited
    response = tenant_client.get(path[:-3] + "abc/", follow=True)
    assert b"invalid" in response.content.lower()
