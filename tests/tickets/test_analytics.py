"""Support and satisfaction in analytics: tickets opened and still open, average first
response and resolution, CSAT overall, per customer and per staff member."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import StaffRole
from tickets import services
from tickets.models import Ticket
from tickets.rating import ticket_rate

pytestmark = pytest.mark.django_db


def test_ratings_show_as_csat_overall_per_customer_and_per_staff(
    client_as, requester, customer, staff
):
    tickets = []
    for n, score in enumerate(["good", "good", "bad"]):
        ticket = services.ticket_open(
            actor=requester, customer_id=customer.pk, subject=f"Issue {n}", description="x"
        )
        services.ticket_update(actor=staff, ticket_id=ticket.pk, data={"assignee_id": staff.pk})
        services.ticket_reply(actor=staff, ticket_id=ticket.pk, body="Fixed", status="resolved")
        ticket_rate(ticket_id=ticket.pk, score=score, comment="", actor=requester)
        tickets.append(ticket)
    services.ticket_open(actor=requester, customer_id=customer.pk, subject="Open", description="x")
    page = client_as(StaffRole.VIEWER).get(reverse("billing:analytics"))
    (support,) = [s["f"] for s in page.context["sections"] if s["key"] == "support"]
    totals = support["totals"]
    assert (totals["opened"], totals["open_now"], totals["rated"]) == (4, 1, 3)
    assert totals["csat"] == "67%" and totals["first_response"] is not None
    (row,) = support["per_customer"]
    assert (row["customer_id"], row["opened"], row["csat"]) == (customer.pk, 4, "67%")
    (person,) = support["per_staff"]
    assert person["name"].startswith("Sam") and (person["rated"], person["bad"]) == (3, 1)
    html = page.content.decode()
    assert "Satisfaction by staff member" in html and "67%" in html
    tab = client_as(StaffRole.VIEWER).get(
        reverse("customers:customer_analytics", args=[customer.pk])
    )
    (mine,) = [s["f"] for s in tab.context["sections"] if s["key"] == "support"]
    assert mine["totals"]["csat"] == "67%" and mine["per_staff"] == []
    assert Ticket.objects.filter(rating="good").count() == 2
