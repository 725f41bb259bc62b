"""A tenant's settings change through tenants.services (the owner's Settings page, the
platform admin's change form and its activate/deactivate actions): the row is locked and
read afresh, nothing is written when nothing changes, and who changed what is logged."""

import logging

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole, User
from core.services import model_update
from tenants.models import Tenant
from tenants.services import tenant_set_active, tenant_settings_update

pytestmark = pytest.mark.django_db

SETTINGS = {
    "name": "Alpha Services",
    "currency": "USD",
    "locale": "en-US",
    "timezone": "UTC",
    "soft_delete_grace_days": 30,
}
LOGGER = "tenants.services"


def test_the_owner_saves_the_settings_and_who_changed_what_is_logged(
    client_as, tenant, caplog, django_capture_on_commit_callbacks
):
    owner = client_as(StaffRole.OWNER)
    with (
        caplog.at_level(logging.INFO, logger=LOGGER),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = owner.post(
            reverse("core:settings"), {**SETTINGS, "currency": "EUR"}, follow=True
        )
    assert "Workspace settings saved." in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.currency == "EUR"
    (line,) = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert owner.user.email in line and "currency: 'USD' → 'EUR'" in line
    assert "name" not in line  # only what changed


def test_saving_unchanged_settings_writes_and_logs_nothing(
    client_as, tenant, caplog, django_capture_on_commit_callbacks
):
    owner = client_as(StaffRole.OWNER)
    with (
        caplog.at_level(logging.INFO, logger=LOGGER),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = owner.post(reverse("core:settings"), SETTINGS)
    assert response.status_code == 302
    assert not [r for r in caplog.records if r.name == LOGGER]
    assert not callbacks


def test_a_viewer_cannot_change_the_settings(client_as, tenant):
    viewer = client_as(StaffRole.VIEWER)
    assert viewer.get(reverse("core:settings")).status_code == 200
    response = viewer.post(reverse("core:settings"), {**SETTINGS, "name": "Taken over"})
    assert response.status_code == 403
    tenant.refresh_from_db()
    assert tenant.name == "Alpha Services"


def test_the_service_validates_and_writes_nothing_when_a_value_is_bad(in_tenant, make_user):
    owner = make_user(role=StaffRole.OWNER)
    with pytest.raises(ValidationError) as refused:
        tenant_settings_update(
            tenant=in_tenant,
            data={"name": "Renamed", "soft_delete_grace_days": 0},
            fields=["name", "soft_delete_grace_days"],
            actor=owner,
        )
    assert "soft_delete_grace_days" in refused.value.message_dict
    assert Tenant.objects.get(pk=in_tenant.pk).name == "Alpha Services"


def test_only_settings_can_be_changed_this_way(in_tenant):
    with pytest.raises(ValueError, match="slug"):
        tenant_settings_update(
            tenant=in_tenant, data={"slug": "hijack"}, fields=["slug"], actor=None
        )
    with pytest.raises(ValueError, match="timezone"):  # the shared helper refuses extra keys
        model_update(
            instance=in_tenant, fields=["name"], data={"timezone": "UTC"}, actor=None, reason=""
        )
    assert Tenant.objects.get(pk=in_tenant.pk).slug == "alpha"


def test_the_callers_tenant_shows_the_saved_values(in_tenant):
    tenant_settings_update(
        tenant=in_tenant, data={"timezone": "Europe/Paris"}, fields=["timezone"], actor=None
    )
    assert in_tenant.timezone == "Europe/Paris"
    assert Tenant.objects.get(pk=in_tenant.pk).timezone == "Europe/Paris"


@pytest.fixture
def operator_client(public_client):
    operator = User.objects.create_superuser(email="op@platform.example", password="x")
    public_client.force_login(operator)
    public_client.user = operator
    return public_client


def test_admin_actions_change_only_the_tenants_that_differ(
    operator_client, caplog, django_capture_on_commit_callbacks
):
    alpha, beta = Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta")
    tenant_set_active(tenant=beta, active=False, actor=None)
    with (
        caplog.at_level(logging.INFO, logger=LOGGER),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = operator_client.post(
            "/admin/tenants/tenant/",
            {"action": "deactivate", "_selected_action": [alpha.pk, beta.pk]},
            follow=True,
        )
    assert "Deactivated 1 tenant(s)." in response.content.decode()
    alpha.refresh_from_db()
    assert alpha.is_active is False
    (line,) = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert line.startswith("Tenant alpha:") and "op@platform.example" in line

    response = operator_client.post(
        "/admin/tenants/tenant/",
        {"action": "activate", "_selected_action": [alpha.pk, beta.pk]},
        follow=True,
    )
    assert "Reactivated 2 tenant(s)." in response.content.decode()
    assert Tenant.objects.filter(slug__in=["alpha", "beta"], is_active=True).count() == 2


def test_the_admin_change_form_saves_through_the_service(
    operator_client, caplog, django_capture_on_commit_callbacks
):
    beta = Tenant.objects.get(slug="beta")
    domain = beta.domains.get()
    data = {
        **SETTINGS,
        "name": "Beta Renamed",
        "is_active": "on",
        "domains-TOTAL_FORMS": "1",
        "domains-INITIAL_FORMS": "1",
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "domains-0-id": domain.pk,
        "domains-0-tenant": beta.pk,
        "domains-0-domain": domain.domain,
        "domains-0-is_primary": "on",
    }
    with (
        caplog.at_level(logging.INFO, logger=LOGGER),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = operator_client.post(f"/admin/tenants/tenant/{beta.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    beta.refresh_from_db()
    assert beta.name == "Beta Renamed"
    (line,) = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert "name: 'Beta Services' → 'Beta Renamed'" in line
    connection.set_schema_to_public()
