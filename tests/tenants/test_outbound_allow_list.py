"""Which internal addresses a tenant's webhooks may reach is the platform operator's decision
(#16): edited on the tenant's page of the platform admin, validated with a reason, never
changeable by the tenant's own staff."""

import ipaddress

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import StaffRole, User
from core.outbound import current_allow_list
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(public_client):
    user = User.objects.create_superuser(email="op@platform.example", password="x")
    public_client.force_login(user)
    return public_client


def change_form_data(client, tenant: Tenant, **changes) -> dict:
    """What the browser would post back from the tenant's change page, with ``changes``."""
    page = client.get(f"/admin/tenants/tenant/{tenant.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data["outbound_allowed_networks"] = form["outbound_allowed_networks"].value() or ""
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    for formset in (inline.formset for inline in page.context["inline_admin_formsets"]):
        management = formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        for subform in formset.forms:
            for name in subform.fields:
                value = subform[name].value()
                if value not in (None, False):
                    data[subform.add_prefix(name)] = getattr(value, "pk", value)
    data.update(changes)
    return data


def test_the_operator_sets_a_tenants_allow_list(operator, tenant):
    data = change_form_data(
        operator, tenant, outbound_allowed_networks="10.20.0.0/16\n192.168.1.20, CRM.Internal\n"
    )
    response = operator.post(f"/admin/tenants/tenant/{tenant.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    tenant.refresh_from_db()
    assert tenant.outbound_allowed_networks == ["10.20.0.0/16", "192.168.1.20/32", "crm.internal"]
    page = operator.get(f"/admin/tenants/tenant/{tenant.pk}/change/").content.decode()
    assert "10.20.0.0/16\n192.168.1.20/32\ncrm.internal" in page


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("10.20.0.1/16", "did you mean 10.20.0.0/16?"),
        ("0.0.0.0/0", "is too broad"),
        ("not a host!", "is not a network"),
    ],
)
def test_a_bad_entry_is_refused_with_the_reason(operator, tenant, entry, reason):
    data = change_form_data(operator, tenant, outbound_allowed_networks=f"10.9.0.0/16\n{entry}")
    response = operator.post(f"/admin/tenants/tenant/{tenant.pk}/change/", data)
    assert response.status_code == 200
    assert reason in response.content.decode()
    tenant.refresh_from_db()
    assert tenant.outbound_allowed_networks == []


def test_the_tenants_owner_cannot_change_it(client_as, tenant):
    owner = client_as(StaffRole.OWNER)
    owner.post(
        reverse("core:settings"),
        {
            "name": "Alpha Services",
            "currency": "USD",
            "timezone": "UTC",
            "soft_delete_grace_days": 30,
            "outbound_allowed_networks": "127.0.0.1/32",
        },
    )
    tenant.refresh_from_db()
    assert tenant.outbound_allowed_networks == []
    # The tenant's own admin site has no tenant registry at all.
    assert owner.get("/admin/tenants/tenant/").status_code == 404
    assert b"outbound_allowed_networks" not in owner.get(reverse("core:settings")).content


def test_the_list_applies_inside_that_tenant_only(tenant, other_tenant, in_tenant):
    Tenant.objects.filter(pk=tenant.pk).update(outbound_allowed_networks=["10.20.0.0/16"])
    address = ipaddress.ip_address("10.20.1.1")
    assert current_allow_list().permits("x.example", address)
    connection.set_tenant(other_tenant)
    assert not current_allow_list().permits("x.example", address)
