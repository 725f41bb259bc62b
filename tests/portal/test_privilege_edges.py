"""User management stays with the customer admin role (seed 002: customer admins cannot create
other customer admins). Checked over every role and every possible permission set."""

from itertools import combinations

import pytest
from django.core.exceptions import ValidationError

from portal.models import PermissionSet, PortalPermission, PortalRole
from portal.policies import permissions_of
from portal.services import permission_set_save
from tests.factories import CustomerFactory, MembershipFactory

EVERY_SET = [
    frozenset(chosen)
    for size in range(len(PortalPermission.values) + 1)
    for chosen in combinations(PortalPermission.values, size)
]


@pytest.fixture
def company(in_tenant):
    return CustomerFactory()


def test_only_the_admin_role_manages_users_whatever_a_permission_set_holds(company):
    admin = MembershipFactory(customer=company, role=PortalRole.ADMIN)
    member = MembershipFactory(customer=company, role=PortalRole.CUSTOM)
    assert len(EVERY_SET) == 2 ** len(PortalPermission.values)
    for role in PortalRole.values:
        member.role = role
        for chosen in EVERY_SET:
            # Sets written before the rule existed, straight into the table.
            member.permission_set = PermissionSet(customer=company, permissions=sorted(chosen))
            granted = permissions_of(member)
            if role == PortalRole.ADMIN:
                assert PortalPermission.MANAGE_USERS in granted
            else:
                assert PortalPermission.MANAGE_USERS not in granted, (role, sorted(chosen))
    assert PortalPermission.MANAGE_USERS in permissions_of(admin)


def test_no_permission_set_carrying_user_management_can_be_saved(company):
    admin = MembershipFactory(customer=company, role=PortalRole.ADMIN)
    for index, chosen in enumerate(EVERY_SET):
        if not chosen:
            continue
        if PortalPermission.MANAGE_USERS in chosen:
            with pytest.raises(ValidationError):
                permission_set_save(
                    company=company,
                    name=f"Set {index}",
                    permissions=sorted(chosen),
                    actor=admin.user,
                )
    assert not PermissionSet.objects.filter(
        customer=company, permissions__contains=[PortalPermission.MANAGE_USERS]
    ).exists()


def test_a_custom_user_with_an_old_user_managing_set_cannot_invite_or_edit(company, portal_client):
    legacy = PermissionSet.objects.create(
        customer=company, name="Legacy", permissions=["view_users", "manage_users"]
    )
    client = portal_client(company, role=PortalRole.CUSTOM, permission_set=legacy)
    other = MembershipFactory(customer=company, role=PortalRole.READ_ONLY)
    assert client.get(f"/portal/c/{company.pk}/users/invite/").status_code == 403
    response = client.post(
        f"/portal/c/{company.pk}/users/invite/",
        {"first_name": "A", "last_name": "B", "email": "x@example.com", "role": "admin"},
    )
    assert response.status_code == 403
    response = client.post(f"/portal/c/{company.pk}/users/{other.pk}/", {"role": PortalRole.ADMIN})
    assert response.status_code in (403, 404)
    other.refresh_from_db()
    assert other.role == PortalRole.READ_ONLY


def test_the_permission_set_form_offers_no_user_management(company, portal_client):
    client = portal_client(company, role=PortalRole.ADMIN)
    page = client.get(f"/portal/c/{company.pk}/permission-sets/add/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="view_users"' in body and 'value="manage_users"' not in body
