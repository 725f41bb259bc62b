"""Demo contracts for ``make run``: a block of hours drawn down by time logged on the
company's tickets, a yearly retainer whose renewal is due (on the dashboard), one that
expired last week, a usage-based one that renews automatically and one that starts next
month. Written through the services, once per database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import StaffRole, User
from billing.money import add_months
from tickets.models import Ticket
from tickets.models_sla import SlaPolicy
from tickets.time_log import ticket_log_time

from . import services
from .models import Contract


def create_demo_contracts() -> None:
    if Contract.objects.exists():
        return
    owner = User.objects.filter(role=StaffRole.ADMIN, is_active=True).order_by("pk").first()
    staff = User.objects.filter(role=StaffRole.STAFF, is_active=True).order_by("pk").first()
    tickets = list(Ticket.objects.select_related("customer").order_by("pk"))
    if owner is None or staff is None or not tickets:
        return
    today = timezone.localdate()
    companies = list(dict.fromkeys(t.customer for t in tickets))
    first = companies[0]
    other = companies[1 % len(companies)]
    premium = SlaPolicy.objects.filter(around_the_clock=True).first()
    year_start = today.replace(month=1, day=1)
    block = services.contract_create(
        actor=owner,
        customer_id=first.pk,
        name="Support block 2026",
        kind="block",
        start_date=year_start,
        end_date=year_start.replace(month=12, day=31),
        auto_renew=True,
        hours_included=Decimal("20"),
        overage_rate=Decimal("95.00"),
        value=Decimal("1800.00"),
        billing_frequency="annually",
        sla_policy=premium,
        notes="Unused hours do not carry over. Urgent calls out of hours count double.",
    )
    minutes = [150, 90, 240, 45, 120, 60]
    company_tickets = [t for t in tickets if t.customer_id == first.pk] or tickets[:1]
    for index, spent in enumerate(minutes):
        ticket = company_tickets[index % len(company_tickets)]
        ticket_log_time(
            actor=staff,
            ticket_id=ticket.pk,
            minutes=spent,
            work_date=max(block.start_date, today - timedelta(days=3 * index)),
            note=["Remote session", "Phone call", "On site", "Follow-up", "Config", "Docs"][index],
        )
    services.contract_create(
        actor=owner,
        customer_id=other.pk,
        name="Managed services retainer",
        kind="retainer",
        start_date=add_months(today, -11) - timedelta(days=15),
        end_date=today + timedelta(days=45),
        auto_renew=False,
        value=Decimal("24000.00"),
        notes="Includes quarterly account check-ins.",
    )
    services.contract_create(
        actor=owner,
        customer_id=other.pk,
        name="Office move project",
        kind="one_time",
        start_date=today - timedelta(days=90),
        end_date=today - timedelta(days=7),
        value=Decimal("6500.00"),
        billing_frequency="once",
    )
    services.contract_create(
        actor=owner,
        customer_id=first.pk,
        name="Cloud backup (per TB)",
        kind="usage",
        start_date=add_months(today, -5),
        end_date=add_months(today, 7),
        auto_renew=True,
        value=Decimal("3600.00"),
    )
    upcoming = companies[2 % len(companies)]
    services.contract_create(
        actor=owner,
        customer_id=upcoming.pk,
        name="Network refresh",
        kind="retainer",
        start_date=add_months(today, 1).replace(day=1),
        end_date=add_months(today, 13).replace(day=1) - timedelta(days=1),
        value=Decimal("9600.00"),
    )
