"""A team member's role and active flag go through accounts.services.staff_update: history
names who changed what, nothing is written when nothing changes, and the rules (only the
owner, never yourself, always an active owner) come back as messages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import StaffRole, User
from accounts.services import staff_update
from core.policies import Capability
from core.scope import scope_for

pytestmark = pytest.mark.django_db


def history_of(user: User):
    return list(user.history.order_by("-history_id"))


def test_the_owner_changes_a_role_and_history_names_them(client_as, make_user):
    owner = client_as(StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF)
    before = len(history_of(member))
    response = owner.post(
        reverse("core:staff_update", kwargs={"pk": member.pk}),
        {"role": StaffRole.VIEWER, "is_active": "on"},
        follow=True,
    )
    assert f"Saved {member}." in response.content.decode()
    member.refresh_from_db()
    assert member.role == StaffRole.VIEWER and member.is_active
    records = history_of(member)
    assert len(records) == before + 1
    assert records[0].history_user == owner.user
    assert records[0].history_change_reason == "Role Staff → Viewer"


def test_deactivating_is_recorded_with_its_reason(make_user):
    owner = make_user(role=StaffRole.OWNER)
    member = make_user(role=StaffRole.ADMIN)
    staff_update(member=member, role=StaffRole.ADMIN, is_active=False, actor=owner)
    latest = history_of(member)[0]
    assert (latest.is_active, latest.history_user, latest.history_change_reason) == (
        False,
        owner,
        "Deactivated",
    )


def test_saving_without_a_change_writes_no_history(client_as, make_user):
    owner = client_as(StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF)
    before = len(history_of(member))
    response = owner.post(
        reverse("core:staff_update", kwargs={"pk": member.pk}),
        {"role": StaffRole.STAFF, "is_active": "on"},
    )
    assert response.status_code == 302
    assert len(history_of(member)) == before


def test_the_members_scope_follows_the_new_role(make_user):
    owner = make_user(role=StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF)
    assert scope_for(member).can(Capability.EDIT_RECORDS)
    staff_update(member=member, role=StaffRole.VIEWER, is_active=True, actor=owner)
    assert member.role == StaffRole.VIEWER
    assert not scope_for(member).can(Capability.EDIT_RECORDS)


def test_demoting_yourself_is_a_message_and_nothing_is_written(client_as):
    owner = client_as(StaffRole.OWNER)
    before = len(history_of(owner.user))
    response = owner.post(
        reverse("core:staff_update", kwargs={"pk": owner.user.pk}), {"role": StaffRole.ADMIN}
    )
    assert response.status_code == 200
    assert "cannot demote or deactivate yourself" in response.content.decode()
    owner.user.refresh_from_db()
    assert owner.user.role == StaffRole.OWNER and owner.user.is_active
    assert len(history_of(owner.user)) == before


def test_the_last_active_owner_stays_an_owner(in_tenant):
    (last_owner,) = User.objects.filter(role=StaffRole.OWNER, is_active=True)
    before = len(history_of(last_owner))
    for role, active in ((StaffRole.ADMIN, True), (StaffRole.OWNER, False)):
        with pytest.raises(ValidationError, match="last active owner"):
            staff_update(member=last_owner, role=role, is_active=active, actor=None)
    last_owner.refresh_from_db()
    assert last_owner.role == StaffRole.OWNER and last_owner.is_active
    assert len(history_of(last_owner)) == before


def test_an_owner_demoted_meanwhile_can_no_longer_manage_the_team(make_user):
    """Two owners demoting each other: the second finds they are no longer an owner (the
    owners' rows are read afresh, under lock), so the workspace keeps one."""
    first, second = make_user(role=StaffRole.OWNER), make_user(role=StaffRole.OWNER)
    stale_second = User.objects.get(pk=second.pk)
    staff_update(member=second, role=StaffRole.ADMIN, is_active=True, actor=first)
    with pytest.raises(PermissionDenied, match="Only the workspace owner"):
        staff_update(member=first, role=StaffRole.ADMIN, is_active=True, actor=stale_second)
    first.refresh_from_db()
    assert first.role == StaffRole.OWNER


def test_an_admin_cannot_change_roles(make_user, client_as):
    admin = client_as(StaffRole.ADMIN)
    member = make_user(role=StaffRole.STAFF)
    with pytest.raises(PermissionDenied):
        staff_update(member=member, role=StaffRole.OWNER, is_active=True, actor=admin.user)
    response = admin.post(
        reverse("core:staff_update", kwargs={"pk": member.pk}),
        {"role": StaffRole.OWNER, "is_active": "on"},
    )
    assert response.status_code == 403
    member.refresh_from_db()
    assert member.role == StaffRole.STAFF


def test_an_unknown_role_is_refused_by_the_service_too(make_user):
    owner = make_user(role=StaffRole.OWNER)
    member = make_user(role=StaffRole.STAFF)
    before = len(history_of(member))
    for role in ("emperor", ""):
        with pytest.raises(ValidationError) as refused:
            staff_update(member=member, role=role, is_active=True, actor=owner)
        assert "role" in refused.value.message_dict
    member.refresh_from_db()
    assert member.role == StaffRole.STAFF and len(history_of(member)) == before


def test_customer_users_are_not_team_members(make_user):
    from tests.factories import MembershipFactory

    owner = make_user(role=StaffRole.OWNER)
    customer_user = MembershipFactory().user
    with pytest.raises(ValidationError, match="not on the team"):
        staff_update(member=customer_user, role=StaffRole.STAFF, is_active=True, actor=owner)
    customer_user.refresh_from_db()
    assert customer_user.role == ""
