"""What the global search looks through: one provider per kind of record, each a single
indexed, scoped query (``visible_to(user).search(term)``, trigram-backed) cut at a few
results, so the whole search costs one query per kind however large the tenant is.

A provider names its kind, fetches within the user's scope, and turns a row into a result
(a title, a line under it, the record's URL); "all N…" leads to the kind's own list,
filtered by the same term."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse

from assets.models import Asset
from billing.models import Invoice, Project
from contracts.models import Contract
from core.formats import money_text
from customers.models import Customer
from customers.models_contacts import Contact
from locations.models import Location
from tickets.models import Ticket

PER_KIND = 5
MIN_LENGTH = 3  # trigram indexes answer from three characters
MAX_LENGTH = 100


@dataclass(frozen=True)
class Result:
    title: str
    detail: str
    url: str


@dataclass
class Group:
    key: str
    label: str
    results: list[Result]
    more: bool  # more matches than shown: the list page has them all
    list_url: str


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    list_url_name: str
    fetch: Callable[[object, str], QuerySet]
    result: Callable[[object], Result]
    list_params: Callable[[str], dict] = field(default=lambda term: {"q": term})

    def group(self, user, term: str) -> Group:
        rows = list(self.fetch(user, term)[: PER_KIND + 1])
        list_url = f"{reverse(self.list_url_name)}?{urlencode(self.list_params(term))}"
        return Group(
            key=self.key,
            label=self.label,
            results=[self.result(row) for row in rows[:PER_KIND]],
            more=len(rows) > PER_KIND,
            list_url=list_url,
        )


def _place(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


PROVIDERS: list[Provider] = [
    Provider(
        key="customers",
        label="Customers",
        list_url_name="customers:customer_list",
        fetch=lambda user, term: (
            Customer.objects.visible_to(user)
            .search(term, with_contacts=False)
            .only("id", "name", "city", "industry")
            .order_by("name", "pk")
        ),
        result=lambda c: Result(c.name, _place(c.industry, c.city), c.get_absolute_url()),
    ),
    Provider(
        key="contacts",
        label="Contacts",
        list_url_name="customers:contact_list",
        fetch=lambda user, term: (
            Contact.objects.visible_to(user)
            .search(term)
            .filter(is_archived=False)
            .select_related("customer")
            .only("id", "name", "title", "email", "customer__id", "customer__name")
            .order_by("name", "pk")
        ),
        result=lambda c: Result(
            c.name,
            _place(c.title, c.customer.name, c.email),
            reverse("customers:contact_detail", args=[c.pk]),
        ),
    ),
    Provider(
        key="locations",
        label="Locations",
        list_url_name="locations:location_list",
        fetch=lambda user, term: (
            Location.objects.visible_to(user)
            .search(term)
            .select_related("customer")
            .only("id", "name", "city", "customer__id", "customer__name")
            .order_by("name", "pk")
        ),
        result=lambda loc: Result(
            loc.name, _place(loc.customer.name, loc.city), loc.get_absolute_url()
        ),
    ),
    Provider(
        key="assets",
        label="Assets",
        list_url_name="assets:asset_list",
        fetch=lambda user, term: (
            Asset.objects.visible_to(user)
            .search(term)
            .select_related("owner")
            .only("id", "name", "serial_number", "model_name", "owner__id", "owner__name")
            .order_by("name", "pk")
        ),
        result=lambda a: Result(
            a.name,
            _place(
                f"S/N {a.serial_number}" if a.serial_number else "",
                a.model_name,
                a.owner.name if a.owner else "",
            ),
            a.get_absolute_url(),
        ),
    ),
    Provider(
        key="invoices",
        label="Invoices",
        list_url_name="billing:invoice_list",
        fetch=lambda user, term: (
            Invoice.objects.visible_to(user)
            .search(term)
            .only("id", "number", "customer_name", "total", "currency", "status", "issue_date")
            .order_by("-issue_date", "-pk")
        ),
        result=lambda i: Result(
            i.number or "Draft",
            _place(i.customer_name, money_text(i.total, i.currency), i.get_status_display()),
            reverse("billing:invoice_detail", args=[i.pk]),
        ),
    ),
    Provider(
        key="projects",
        label="Projects",
        list_url_name="billing:project_list",
        fetch=lambda user, term: (
            Project.objects.visible_to(user)
            .search(term)
            .only("id", "name", "customer_name")
            .order_by("name", "pk")
        ),
        result=lambda p: Result(p.name, p.customer_name, p.get_absolute_url()),
    ),
    Provider(
        key="tickets",
        label="Tickets",
        list_url_name="tickets:ticket_list",
        fetch=lambda user, term: (
            Ticket.objects.visible_to(user)
            .search(term)
            .select_related("customer")
            .only("id", "subject", "status", "customer__id", "customer__name")
            .order_by("-last_activity_at", "-pk")
        ),
        result=lambda t: Result(
            f"{t.reference} {t.subject}",
            _place(t.customer.name, t.get_status_display()),
            t.get_absolute_url(),
        ),
        # Closed and resolved tickets too: the queue shows only the unresolved by default.
        list_params=lambda term: {"q": term, "status": "all"},
    ),
    Provider(
        key="contracts",
        label="Contracts",
        list_url_name="contracts:contract_list",
        fetch=lambda user, term: (
            Contract.objects.visible_to(user)
            .search(term)
            .select_related("customer")
            .only("id", "name", "kind", "customer__id", "customer__name")
            .order_by("name", "pk")
        ),
        result=lambda c: Result(
            f"{c.reference} {c.name}",
            _place(c.customer.name, c.get_kind_display()),
            c.get_absolute_url(),
        ),
    ),
]


def clean_term(raw: str | None) -> str:
    return " ".join((raw or "").split())[:MAX_LENGTH]


def search_everything(user, raw_term: str | None) -> list[Group]:
    """The user's matches grouped by kind (kinds without a match left out); nothing for a
    term shorter than two characters."""
    term = clean_term(raw_term)
    if len(term) < MIN_LENGTH:
        return []
    groups = [provider.group(user, term) for provider in PROVIDERS]
    return [group for group in groups if group.results]
