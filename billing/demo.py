"""Demo billing: plans, subscriptions, twelve months of usage, invoices and payments (paid,
partially paid and overdue), one suspended company, a reseller and an agency, and sign-ins,
so the dashboard has real trends. Built through the real services; no emails are sent."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import SignInEvent, User
from customers.models import Customer

from . import money
from .company_users import company_users
from .models import (
    BillingProfile,
    BillingSettings,
    Invoice,
    InvoiceStatus,
    Metric,
    Plan,
    PlanTier,
    Subscription,
    UsageRecord,
)
from .services.dunning import mark_overdue, suspend_overdue_customers
from .services.invoicing import invoice_run
from .services.payments import payment_record
from .services.subscriptions import (
    end_trials,
    subscription_cancel,
    subscription_change,
    subscription_create,
)

PLANS = [
    # name, flat fee, seat fee, seat cap, tiers per metric code: [(up_to, unit price)]
    (
        "Starter",
        "49.00",
        "0.00",
        5,
        {"operations": [(10_000, "0"), (None, "0.002")], "storage-gb": [(50, "0"), (None, "0.10")]},
    ),
    (
        "Growth",
        "199.00",
        "15.00",
        50,
        {
            "operations": [(100_000, "0"), (500_000, "0.001"), (None, "0.0005")],
            "storage-gb": [(500, "0"), (None, "0.08")],
            "bandwidth-gb": [(1_000, "0"), (None, "0.05")],
        },
    ),
    (
        "Enterprise",
        "999.00",
        "25.00",
        None,
        {
            "operations": [(2_000_000, "0"), (None, "0.0004")],
            "storage-gb": [(5_000, "0"), (None, "0.05")],
            "bandwidth-gb": [(10_000, "0"), (None, "0.03")],
        },
    ),
]
CARD_LABELS = [
    "Visa ending 4242",
    "Mastercard ending 4444",
    "Amex ending 0005",
    "SEPA direct debit",
]


def create_demo_billing(*, today: date | None = None, seed: int = 2026) -> str:
    """Returns the email of the suspended company's admin ("" if billing existed already)."""
    if Plan.objects.exists():
        return _suspended_admin_email()
    today = today or timezone.localdate()
    rng = random.Random(seed)
    with transaction.atomic():
        plans = _plans()
        subscriptions = _subscriptions(rng, plans, today)
        _usage(rng, subscriptions, today)
        _profiles(rng)
    last_month = money.add_months(today.replace(day=1), -1)
    for offset in range(12, 0, -1):  # last month is left for the admin to run
        month = money.add_months(today.replace(day=1), -offset - 1)
        run_day = money.add_months(month, 1) + timedelta(days=rng.randint(0, 2))
        invoice_run(month=month, actor=None, today=run_day, notify=False)
    end_trials(today=today)
    suspended_email = _payments(rng, today, last_month)
    _sign_ins(rng, today)
    return suspended_email


def _suspended_admin_email(customer_id: int | None = None) -> str:
    """The email of the (or this) suspended company's portal admin, if it has one."""
    suspended = Customer.objects.filter(portal_access="suspended")
    if customer_id is not None:
        suspended = suspended.filter(pk=customer_id)
    admins = company_users().admin_emails()
    return next((admins[pk] for pk in suspended.values_list("pk", flat=True) if pk in admins), "")


def _plans() -> dict[str, Plan]:
    metrics = {m.code: m for m in Metric.objects.all()}
    plans = {}
    for name, flat, seat, cap, tiers in PLANS:
        plan = Plan.objects.create(
            name=name,
            monthly_fee=Decimal(flat),
            seat_fee=Decimal(seat),
            max_seats=cap,
            description=f"{name}: flat fee{', per seat' if Decimal(seat) else ''}, usage tiers",
        )
        PlanTier.objects.bulk_create(
            PlanTier(plan=plan, metric=metrics[code], up_to=up_to, unit_price=Decimal(price))
            for code, rows in tiers.items()
            for up_to, price in rows
        )
        plans[name] = plan
    BillingSettings.objects.filter(pk=1).update(
        payment_terms_days=60,
        payment_instructions="Bank transfer to Northwind Managed Services, "
        "IBAN GB33 BUKB 2020 1555 5555 55, quoting the invoice number.",
    )
    return plans


def _subscriptions(rng: random.Random, plans: dict[str, Plan], today: date) -> list[Subscription]:
    users = company_users().per_company()
    customers = list(
        Customer.objects.filter(
            deleted_at__isnull=True, is_archived=False, status="active"
        ).order_by("pk")[:140]
    )
    subscriptions = []
    created_at = []
    for index, customer in enumerate(customers):
        name = (
            "Enterprise"
            if customer.business_type == "enterprise"
            else rng.choice(["Starter", "Growth", "Growth"])
        )
        plan = plans[name]
        seats = max(users.get(customer.pk, 0) + rng.randint(0, 4), 1)
        if plan.max_seats:
            seats = min(seats, plan.max_seats)
            if users.get(customer.pk, 0) > plan.max_seats:
                plan = plans["Enterprise"]
        months_ago = rng.randint(0, 17) if index % 4 else rng.randint(13, 24)
        start = money.add_months(today.replace(day=1), -months_ago) + timedelta(
            days=rng.randint(0, 20)
        )
        start = min(start, today)
        subscription = subscription_create(
            customer=customer,
            plan=plan,
            seats=seats,
            start_date=start,
            anchor_day=1,
            trial_end=start + timedelta(days=13) if index % 9 == 0 else None,
            actor=None,
        )
        if index % 13 == 5 and start < today - timedelta(days=90):
            on = start + timedelta(days=rng.randint(60, (today - start).days - 1))
            subscription_cancel(subscription_id=subscription.pk, on=on, actor=None)
            subscription.refresh_from_db()
        elif index % 11 == 3 and start < today - timedelta(days=120):
            subscription_change(
                subscription_id=subscription.pk,
                plan=plans["Growth"] if plan.name == "Starter" else plan,
                seats=min(seats + 2, plan.max_seats or seats + 2),
                effective_from=start + timedelta(days=rng.randint(40, 100)),
                actor=None,
            )
        subscriptions.append(subscription)
        joined = datetime.combine(start - timedelta(days=rng.randint(0, 25)), time(10))
        created_at.append((customer.pk, timezone.make_aware(joined)))
    # So "new customers per month" shows when each came on board (prospects too).
    subscribed = {pk for pk, _ in created_at}
    for customer in Customer.objects.exclude(pk__in=subscribed).only("pk"):
        joined = datetime.combine(today - timedelta(days=rng.randint(0, 700)), time(9))
        created_at.append((customer.pk, timezone.make_aware(joined)))
    for pk, when in created_at:
        # Customers since when they came on board; those without a subscription (prospects,
        # former customers, the non-paying) were taken on over the last six years or so.
        since = when.date() if pk in subscribed else when.date() - timedelta(days=pk * 37 % 1500)
        Customer.objects.filter(pk=pk).update(created_at=when, customer_since=since)
        # History says the record was added when it was, not when the demo was loaded.
        Customer.history.filter(id=pk, history_type="+").update(history_date=when)
    return subscriptions


def _usage(rng: random.Random, subscriptions: list[Subscription], today: date) -> None:
    metrics = list(Metric.objects.all())
    scale = {"operations": 9_000, "storage-gb": 40, "bandwidth-gb": 90}
    records = []
    first_day = money.add_months(today.replace(day=1), -13)
    for subscription in subscriptions:
        size = {"Starter": 0.4, "Growth": 2.0, "Enterprise": 12.0}[subscription.plan.name]
        growth = rng.uniform(0.002, 0.015)
        day = max(subscription.start_date, first_day)
        last = min(subscription.cancelled_on or today, today)
        week = 0
        while day <= last:
            for metric in metrics:
                base = scale.get(metric.code, 10) * size * (1 + growth) ** week
                quantity = Decimal(str(round(base * rng.uniform(0.6, 1.4), 1)))
                records.append(
                    UsageRecord(
                        customer_id=subscription.customer_id,
                        metric=metric,
                        day=day,
                        quantity=quantity,
                        source="import",
                    )
                )
            day += timedelta(days=7)
            week += 1
    UsageRecord.objects.bulk_create(records, batch_size=2000)


def _profiles(rng: random.Random) -> None:
    parents = list(
        Customer.objects.filter(subsidiaries__isnull=False, deleted_at__isnull=True)
        .distinct()
        .order_by("pk")
    )
    if parents:
        BillingProfile.objects.create(
            customer=parents[0], consolidated_billing=True, payment_method_label=CARD_LABELS[0]
        )
    for parent in parents[1:3]:
        BillingProfile.objects.create(
            customer=parent, is_reseller=True, commission_rate=Decimal("15.00")
        )
    for customer in Subscription.objects.values_list("customer_id", flat=True)[::3]:
        BillingProfile.objects.get_or_create(
            customer_id=customer, defaults={"payment_method_label": rng.choice(CARD_LABELS)}
        )


def _payments(rng: random.Random, today: date, last_month: date) -> str:
    """Most invoices paid (some in two parts), recent ones partly or not at all, a few
    overdue; one company with a portal admin is suspended."""
    admins = company_users().admin_emails()  # companies in the order their admins joined
    eligible = set(
        Customer.objects.filter(
            pk__in=list(admins),
            parent__isnull=True,
            subsidiaries__isnull=True,
            subscriptions__status="active",
            subscriptions__start_date__lte=today - timedelta(days=150),
        ).values_list("pk", flat=True)
    )
    candidates = [pk for pk in admins if pk in eligible]
    suspended_id = candidates[1] if len(candidates) > 1 else None
    invoices = list(Invoice.objects.exclude(total=0).order_by("issue_date", "pk"))
    for invoice in invoices:
        age = (today - invoice.issue_date).days
        keep_open = invoice.customer_id == suspended_id and age < 150
        if keep_open:
            continue
        roll = rng.random()
        if age < 45 and roll < 0.5:
            continue  # recently issued, not paid yet
        if age < 110 and roll < 0.06:
            continue  # overdue
        paid_on = min(invoice.issue_date + timedelta(days=rng.randint(2, 25)), today)
        method = rng.choice(["bank_transfer", "bank_transfer", "card", "cheque"])
        if roll < 0.15:
            half = money.to_money(invoice.total / 2)
            payment_record(
                invoice_id=invoice.pk,
                amount=half,
                method=method,
                paid_on=paid_on,
                reference=f"DEMO-{invoice.pk}-1",
                actor=None,
                notify=False,
            )
            if age < 45:
                continue  # partially paid
            paid_on = min(paid_on + timedelta(days=rng.randint(5, 15)), today)
            payment_record(
                invoice_id=invoice.pk,
                amount=invoice.total - half,
                method=method,
                paid_on=paid_on,
                reference=f"DEMO-{invoice.pk}-2",
                actor=None,
                notify=False,
            )
        else:
            payment_record(
                invoice_id=invoice.pk,
                amount=invoice.total,
                method=method,
                paid_on=paid_on,
                reference=f"DEMO-{invoice.pk}",
                actor=None,
                notify=False,
            )
    mark_overdue(today=today, notify=False)
    # Only the chosen company goes past the suspension limit; the others are recent.
    Invoice.objects.filter(status=InvoiceStatus.OVERDUE).exclude(customer_id=suspended_id).update(
        due_date=today - timedelta(days=3)
    )
    suspend_overdue_customers(today=today)
    return _suspended_admin_email(suspended_id) if suspended_id else ""


def _sign_ins(rng: random.Random, today: date) -> None:
    users = list(User.objects.filter(is_active=True).only("pk", "email"))
    events, now = [], timezone.now()
    for days_ago in range(0, 7 * 52):
        day = today - timedelta(days=days_ago)
        for user in rng.sample(users, k=min(len(users), rng.randint(1, 6))):
            when = timezone.make_aware(
                datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)))
            )
            if when > now:
                continue  # no sign-ins from the future
            events.append(
                SignInEvent(
                    user=user,
                    email=user.email,
                    succeeded=True,
                    ip_address="192.0.2.10",
                    created_at=when,
                )
            )
    SignInEvent.objects.bulk_create(events, batch_size=2000)
    recent = timezone.now() - timedelta(days=rng.randint(1, 20))
    User.objects.filter(pk__in=company_users().user_ids(None)).update(last_login=recent)
