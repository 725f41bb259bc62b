import re

import pytest
from django.core import mail

from accounts.models import StaffRole, User

pytestmark = pytest.mark.django_db


def test_changing_email_keeps_the_old_one_until_the_new_one_is_verified(client_as):
    client = client_as(StaffRole.STAFF)
    user = client.user
    old_email = user.email
    response = client.post("/accounts/email/", {"action_add": "", "email": "moved@alpha.example"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == old_email
    (message,) = mail.outbox
    assert message.to == ["moved@alpha.example"]

    confirm_path = re.search(r"http://alpha\.localhost(/accounts/confirm-email/\S+)", message.body)
    client.post(confirm_path.group(1))
    user.refresh_from_db()
    assert user.email == "moved@alpha.example"


def test_email_already_used_by_someone_else_is_refused(client_as, make_user):
    make_user(email="taken@alpha.example")
    client = client_as(StaffRole.STAFF)
    old_email = client.user.email
    client.post("/accounts/email/", {"action_add": "", "email": "Taken@Alpha.example"})
    # Enumeration-safe: the page does not say the address is taken, nothing changes hands,
    # and the address's owner is told by email instead.
    client.user.refresh_from_db()
    assert client.user.email == old_email
    assert User.objects.filter(email__iexact="taken@alpha.example").count() == 1
    assert not client.user.emailaddress_set.filter(
        email__iexact="taken@alpha.example", verified=True
    ).exists()
