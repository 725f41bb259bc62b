"""Service levels and satisfaction as a support team meets them: targets in business hours,
a clock that stops while the customer is asked, breaches told once, a one-time rating link,
and the month's report."""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import StaffRole
from tests.factories import CustomerFactory, MembershipFactory
from tickets import services
from tickets.models import Ticket
from tickets.models_sla import CustomerSla, SlaPolicy
from tickets.services_sla import check_breaches, customer_policy_set
from tickets.sla import Calendar

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_business_time_skips_nights_weekends_and_holidays():
    calendar = Calendar(
        tz=ZoneInfo("UTC"),
        start=datetime.time(9),
        end=datetime.time(17),
        days=frozenset(range(5)),
        holidays=frozenset({datetime.date(2026, 12, 7)}),
    )
    # Friday 16:00 + 2 h: one hour on Friday, the holiday Monday skipped, Tuesday 10:00.
    assert calendar.add(at("2026-12-04 16:00"), 120) == at("2026-12-08 10:00")
    # Opened on Saturday night: the clock starts on the next business morning.
    assert calendar.add(at("2026-12-05 23:00"), 30) == at("2026-12-08 09:30")
    assert calendar.between(at("2026-12-04 16:00"), at("2026-12-08 10:00")) == 120
    assert Calendar(tz=ZoneInfo("UTC")).add(at("2026-12-05 23:00"), 30) == at("2026-12-05 23:30")


@pytest.fixture
def policy(in_tenant):
    return SlaPolicy.objects.create(
        name="Standard",
        is_default=True,
        around_the_clock=True,
        first_response_urgent=60,
        first_response_normal=240,
        resolution_normal=480,
        resolution_urgent=240,
    )


def test_a_ticket_gets_the_default_or_its_companys_policy(policy, requester, customer, admin):
    ticket = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="x", description="y"
    )
    assert ticket.sla_policy == policy
    assert ticket.first_response_due_at == ticket.created_at + datetime.timedelta(minutes=240) or (
        abs(ticket.first_response_due_at - ticket.created_at - datetime.timedelta(minutes=240))
        < datetime.timedelta(seconds=1)
    )
    services.ticket_update(actor=admin, ticket_id=ticket.pk, data={"priority": "urgent"})
    ticket.refresh_from_db()
    assert abs(
        ticket.first_response_due_at - ticket.created_at - datetime.timedelta(minutes=60)
    ) < datetime.timedelta(seconds=1)
    gold = SlaPolicy.objects.create(name="Gold", around_the_clock=True, first_response_normal=15)
    customer_policy_set(actor=admin, customer_id=customer.pk, policy_id=gold.pk)
    sub = CustomerFactory(parent=customer)
    user = MembershipFactory(customer=sub, role="full").user
    theirs = services.ticket_open(actor=user, customer_id=sub.pk, subject="x", description="y")
    assert theirs.sla_policy == gold  # a sub-account follows its parent's own policy
    assert CustomerSla.objects.get(customer=customer).history.first().history_user == admin


def test_waiting_on_the_customer_stops_the_resolution_clock(policy, ticket, staff, requester):
    fresh = services.ticket_open(
        actor=requester, customer_id=ticket.customer_id, subject="x", description="y"
    )
    due = fresh.resolution_due_at
    services.ticket_reply(actor=staff, ticket_id=fresh.pk, body="Which room?")
    fresh.refresh_from_db()
    assert fresh.status == "waiting" and fresh.sla_paused_at is not None
    # Three hours pass while the customer thinks.
    Ticket.objects.filter(pk=fresh.pk).update(
        sla_paused_at=fresh.sla_paused_at - datetime.timedelta(hours=3)
    )
    services.ticket_reply(actor=requester, ticket_id=fresh.pk, body="Room 4")
    fresh.refresh_from_db()
    assert fresh.sla_paused_at is None and fresh.sla_paused_minutes == 180
    assert fresh.resolution_due_at - due == datetime.timedelta(minutes=180)


def test_a_missed_target_is_told_once_and_a_paused_clock_never_misses(
    policy, requester, customer, staff
):
    late = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Late", description="y"
    )
    paused = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Paused", description="y"
    )
    services.ticket_reply(actor=staff, ticket_id=paused.pk, body="Waiting on you")
    past = timezone.now() - datetime.timedelta(minutes=1)
    Ticket.objects.filter(pk=late.pk).update(first_response_due_at=past, resolution_due_at=past)
    Ticket.objects.filter(pk=paused.pk).update(resolution_due_at=past)
    assert check_breaches() == 2  # the late ticket's two clocks
    assert check_breaches() == 0
    late.refresh_from_db()
    paused.refresh_from_db()
    assert late.first_response_breached_at and late.resolution_breached_at
    assert paused.resolution_breached_at is None
    assert staff.notifications.filter(kind="sla_breached").count() == 2
    client_url = reverse("tickets:ticket_list") + "?sla=missed"
    from django.test import Client

    client = Client(HTTP_HOST="alpha.localhost")
    client.force_login(staff)
    html = client.get(client_url).content.decode()
    assert "Late" in html and "Paused" not in html
    page = client.get(late.get_absolute_url()).content.decode()
    assert "Missed" in page and "Standard" in page


def test_the_resolution_email_asks_for_one_rating(
    ticket, staff, client, django_capture_on_commit_callbacks
):
    services.ticket_update(actor=staff, ticket_id=ticket.pk, data={"assignee_id": staff.pk})
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status="resolved")
    link = re.search(r"Bad:\s+(\S+)", mail.outbox[0].body).group(1)
    path = link.split("localhost", 1)[1].split(":", 1)[-1]
    path = path[path.index("/") :]
    anonymous = type(client)(HTTP_HOST="alpha.localhost")
    page = anonymous.get(path)
    assert (
        page.status_code == 200
        and 'value="bad" checked' in page.content.decode().replace("  ", " ")
        or "bad" in page.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.rating is None  # opening the link rates nothing
    response = anonymous.post(path.split("?")[0], {"score": "bad", "comment": "Slow"})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    ticket.refresh_from_db()
    assert (ticket.rating, ticket.rating_comment) == ("bad", "Slow")
    assert staff.notifications.filter(kind="ticket_rated_bad").exists()
    again = anonymous.post(path.split("?")[0], {"score": "good"})
    ticket.refresh_from_db()
    assert ticket.rating == "bad" and "rated once" in again.content.decode()
    forged = path.split("?")[0].replace(ticket.reply_token, "0" * 12)
    assert anonymous.get(forged).status_code == 404


def test_an_open_ticket_cannot_be_rated(ticket):
    from django.test import Client

    client = Client(HTTP_HOST="alpha.localhost")
    url = reverse("tickets:rate", args=[ticket.pk, ticket.reply_token])
    response = client.post(url, {"score": "good"})
    assert response.status_code == 400 and "once it is resolved" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.rating is None


def test_the_report_shows_service_levels_and_satisfaction(
    policy, requester, customer, staff, client_as
):
    fast = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Fast", description="y"
    )
    services.ticket_update(actor=staff, ticket_id=fast.pk, data={"assignee_id": staff.pk})
    services.ticket_reply(actor=staff, ticket_id=fast.pk, body="Done", status="resolved")
    from tickets.rating import ticket_rate

    ticket_rate(ticket_id=fast.pk, score="good", actor=None)
    slow = services.ticket_open(
        actor=requester, customer_id=customer.pk, subject="Slow", description="y"
    )
    Ticket.objects.filter(pk=slow.pk).update(
        first_response_due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    check_breaches()
    page = client_as(StaffRole.VIEWER).get(reverse("tickets:report")).content.decode()
    row = page[page.index(customer.name) :]
    assert "50%" in row and "(1/2)" in row  # one of two first responses met
    assert "100%" in row and "(1 rated)" in row
    by_staff = page[page.index("By team member") :]
    assert "Sam" in by_staff and "100%" in by_staff and "(1 rated)" in by_staff


def test_admins_write_policies_in_hours_and_one_is_the_default(policy, client_as):
    client = client_as(StaffRole.ADMIN)
    response = client.post(
        reverse("tickets:sla_policy_create"),
        {
            "name": "Premium",
            "is_default": "on",
            "first_response_urgent": "0.5",
            "resolution_urgent": "4",
            "business_start": "08:00",
            "business_end": "18:00",
            "business_days": ["0", "1", "2", "3", "4"],
            "holidays": "2026-12-25, 2026-12-26",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    premium = SlaPolicy.objects.get(name="Premium")
    assert (premium.first_response_urgent, premium.resolution_urgent) == (30, 240)
    assert premium.holidays == ["2026-12-25", "2026-12-26"] and premium.is_default
    policy.refresh_from_db()
    assert not policy.is_default
    bad = client.post(
        reverse("tickets:sla_policy_update", args=[premium.pk]),
        {
            "name": "Premium",
            "business_start": "18:00",
            "business_end": "08:00",
            "timezone": "UTC",
            "business_days": ["0"],
            "holidays": "not-a-date",
        },
    )
    assert bad.status_code == 200 and "not a date" in bad.content.decode()
    assert client_as(StaffRole.STAFF).get(reverse("tickets:sla_policy_create")).status_code == 403
