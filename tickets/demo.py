"""Demo tickets for ``make run``: the portal companies' users ask, staff answer, some tickets
wait on the customer, one is resolved, one holds an internal note. Written through the
services, so their history and thread are what real use leaves. Runs once per database."""

from __future__ import annotations

from accounts.models import StaffRole, User

from . import services
from .models import Ticket
from .models_sla import SlaPolicy
from .rating import ticket_rate

DEMO_TICKETS = [
    (
        "VPN drops every hour",
        "Since Monday the office VPN disconnects roughly every hour.\n\n"
        "- Happens on **all** laptops\n- Reconnecting works",
        "problem",
        "high",
        [("staff", "Thanks for the details. Can you send the time of the last drop?", False)],
        "waiting",
    ),
    (
        "New starter next week",
        "Please prepare a laptop and accounts for Dana, starting on the 1st.",
        "request",
        "normal",
        [
            ("staff", "Laptop is imaged; accounts follow on Friday.", False),
            ("staff", "Use the spare from storage, tag 4411.", True),
        ],
        "open",
    ),
    (
        "Invoice shows two licences too many",
        "Our last invoice bills 27 seats; we have 25 users.",
        "billing",
        "normal",
        [("staff", "Corrected: a credit note for two seats is on its way.", False)],
        "resolved",
    ),
    ("Printer on 3rd floor jams", "Jams on every double-sided job.", "problem", "low", [], "new"),
    (
        "Server room too warm",
        "The thermometer in the server room shows 31°C.",
        "problem",
        "urgent",
        [],
        "new",
    ),
]


def create_demo_policies() -> None:
    """A default service level in business hours and a 24/7 one for premium customers."""
    if SlaPolicy.objects.exists():
        return
    SlaPolicy.objects.create(
        name="Standard (business hours)",
        is_default=True,
        business_days=[0, 1, 2, 3, 4],
        first_response_urgent=60,
        first_response_high=120,
        first_response_normal=240,
        first_response_low=480,
        resolution_urgent=480,
        resolution_high=960,
        resolution_normal=2400,
        resolution_low=4800,
    )
    SlaPolicy.objects.create(
        name="Premium 24/7",
        around_the_clock=True,
        first_response_urgent=30,
        first_response_high=60,
        first_response_normal=120,
        resolution_urgent=240,
        resolution_high=480,
        resolution_normal=1440,
    )


def create_demo_tickets() -> None:
    create_demo_policies()
    if Ticket.objects.exists():
        return
    staff = User.objects.filter(role=StaffRole.STAFF, is_active=True).order_by("pk").first()
    requesters = list(
        User.objects.filter(role="", is_active=True, membership__role__in=("admin", "full"))
        .select_related("membership")
        .order_by("pk")[:3]
    )
    if staff is None or not requesters:
        return
    for index, (subject, description, category, priority, thread, status) in enumerate(
        DEMO_TICKETS
    ):
        requester = requesters[index % len(requesters)]
        ticket = services.ticket_open(
            actor=requester,
            customer_id=requester.membership.customer_id,
            subject=subject,
            description=description,
            category=category,
            priority=priority,
        )
        if index % 2 == 0:
            services.ticket_update(actor=staff, ticket_id=ticket.pk, data={"assignee_id": staff.pk})
        for _who, body, internal in thread:
            services.ticket_reply(
                actor=staff, ticket_id=ticket.pk, body=body, internal=internal, status=status
            )
        ticket.refresh_from_db()
        if ticket.status != status and status != "new":
            services.ticket_set_status(actor=staff, ticket_id=ticket.pk, status=status)
        if status == "resolved":
            ticket_rate(
                ticket_id=ticket.pk, score="good", comment="Quick and clear.", actor=requester
            )
