"""The owner's Personal data page: only owners reach it; look up, download, erase with a
typed confirmation and a reason; refusals change nothing."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import User
from privacy.models import ErasureRecord

from .helpers import make_alicia

PAGE = "core:personal_data"


@pytest.fixture
def owner_client(client_as):
    return client_as("owner")


@pytest.mark.parametrize("role", ["admin", "staff", "viewer"])
def test_only_owners_reach_the_pages(client_as, role, in_tenant):
    alicia, _ = make_alicia()
    client = client_as(role)
    data = {"email": alicia.email, "confirm": alicia.email, "reason": "Asked"}
    assert client.get(reverse(PAGE)).status_code == 403
    for name in (PAGE, "core:personal_data_export", "core:personal_data_erase"):
        assert client.post(reverse(name), data).status_code == 403
    assert User.objects.get(pk=alicia.user.pk).is_active


def test_anonymous_is_sent_to_sign_in(tenant_client):
    response = tenant_client.get(reverse(PAGE))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_settings_page_links_to_it_for_owners(owner_client, client_as):
    assert reverse(PAGE) in owner_client.get(reverse("core:settings")).content.decode()
    assert reverse(PAGE) not in client_as("admin").get(reverse("core:settings")).content.decode()


def test_look_up_download_and_erase(owner_client):
    alicia, _ = make_alicia()
    page = owner_client.post(reverse(PAGE), {"email": alicia.email})
    html = page.content.decode()
    assert page.status_code == 200 and "customers.HistoricalContact" in html
    assert "Erase this person" in html

    download = owner_client.post(reverse("core:personal_data_export"), {"email": alicia.email})
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="personal-data-')
    assert json.loads(download.content)["records"]["accounts.User"][0]["email"] == alicia.email

    wrong = {"email": alicia.email, "confirm": "someone@else.example", "reason": "Asked"}
    refused = owner_client.post(reverse("core:personal_data_erase"), wrong)
    assert refused.status_code == 200 and "Type exactly the address" in refused.content.decode()
    assert User.objects.get(pk=alicia.user.pk).is_active and not ErasureRecord.objects.exists()

    data = {"email": alicia.email, "confirm": alicia.email.upper(), "reason": "Letter of 30 Nov"}
    erased = owner_client.post(reverse("core:personal_data_erase"), data, follow=True)
    html = erased.content.decode()
    assert "Erased:" in html and "Letter of 30 Nov" in html and alicia.email not in html
    assert not User.objects.get(pk=alicia.user.pk).is_active


def test_refusals_are_messages_not_errors(owner_client):
    me = owner_client.user
    data = {"email": me.email, "confirm": me.email, "reason": "Asked"}
    response = owner_client.post(reverse("core:personal_data_erase"), data)
    assert response.status_code == 200 and "your own account" in response.content.decode()
    nobody = owner_client.post(reverse(PAGE), {"email": "nobody@nowhere.example"})
    assert "Nothing is held about that address" in nobody.content.decode()
    bad = owner_client.post(
        reverse("core:personal_data_export"), {"email": "nobody@nowhere.example"}
    )
    assert bad.status_code == 200 and "Nothing is held" in bad.content.decode()
    assert owner_client.post(reverse(PAGE), {"email": "%00"}).status_code == 200
