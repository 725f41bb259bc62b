"""A person spread over every app, and a scan of the whole tenant schema for strings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress, EmailConfirmation
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accounts.models import ApiToken, User
from core.services import save_with_history
from customers import services as customer_services
from customers.models import Contact
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    ImportJobFactory,
    InvoiceFactory,
    JoinRequestFactory,
    LocationFactory,
    MembershipFactory,
    SignInEventFactory,
    UserFactory,
    WebhookEndpointFactory,
)
from webhooks.models import WebhookDelivery

TEXT_TYPES = ("text", "character varying", "character", "jsonb", "json", "inet")


def scan_schema(strings: list[str], schema: str | None = None) -> list[str]:
    """Every ``table.column`` of the schema (text, JSON, addresses and raw bytes alike)
    where one of ``strings`` occurs, case-insensitively."""
    schema = schema or connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = %s AND (data_type = ANY(%s) OR data_type = 'bytea') "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = %s AND table_type = 'BASE TABLE')",
            [schema, list(TEXT_TYPES), schema],
        )
        columns = cursor.fetchall()
        hits = []
        for table, column, data_type in columns:
            name = f'"{schema}"."{table}"'
            for value in strings:
                if data_type == "bytea":
                    sql = f"SELECT 1 FROM {name} WHERE position(convert_to(%s, 'UTF8') in \"{column}\") > 0 LIMIT 1"
                else:
                    sql = f'SELECT 1 FROM {name} WHERE "{column}"::text ILIKE %s LIMIT 1'
                    value = f"%{value}%"
                cursor.execute(sql, [value])
                if cursor.fetchone():
                    hits.append(f"{table}.{column}")
                    break
    return sorted(set(hits))


@dataclass
class Alicia:
    """One person known to the workspace in every way there is."""

    user: User
    email: str = "alicia.quixotely@people.example"
    first_name: str = "Alicia"
    last_name: str = "Quixotely"
    phone: str = "+14155550199"
    ip: str = "203.0.113.77"
    browser: str = "QuixoBrowser/9.9"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def traces(self) -> list[str]:
        return [self.email, self.full_name, self.last_name, "4155550199", self.ip, self.browser]


OTHER = {"email": "roberto.vexley@people.example", "name": "Roberto Vexley"}


def make_alicia(*, role: str = "staff", actor=None) -> tuple[Alicia, dict]:
    """Alicia is a staff user with sign-ins, a token and an admin-log line; the contact of a
    customer (edited twice: history) whose billing contact is Roberto; asked to join another
    company; named in a site's notes, a change reason and a webhook payload."""
    a = Alicia(user=None)  # type: ignore[arg-type]
    user = UserFactory(email=a.email, first_name=a.first_name, last_name=a.last_name, role=role)
    a.user = user
    EmailConfirmation.create(EmailAddress.objects.get(user=user))
    SignInEventFactory(user=user, ip_address=a.ip, user_agent=a.browser)
    SignInEventFactory(user=None, email=a.email.upper(), succeeded=False, ip_address=a.ip)
    ApiToken.objects.create(user=user, name="Quixotely laptop", prefix="pfxquix1", key_hash="x")
    customer = CustomerFactory(
        contact_name=a.full_name,
        contact_email=a.email,
        contact_phone=a.phone,
        billing_contact_name=OTHER["name"],
        billing_email=OTHER["email"],
    )
    for description in ("First version", "Second version"):
        customer_services.customer_update(
            customer_id=customer.pk,
            data={"description": description},
            expected_version=customer.version,
            actor=actor,
        )
        customer.refresh_from_db()
    other_company = CustomerFactory()
    JoinRequestFactory(
        customer=other_company, email=a.email, first_name="Alicia", last_name="Quixotely"
    )
    location = LocationFactory(customer=other_company, notes=f"Ask for {a.full_name} at the gate")
    # Custom fields: an asset's value naming her, and her own contact row's values.
    AssetFactory(location=location, custom_field_data={"handler": f"{a.full_name} (keys)"})
    Contact.objects.create(
        customer=other_company,
        name=a.full_name,
        email=a.email,
        custom_field_data={"birthday_note": "Likes dark chocolate"},
    )
    save_with_history(location, actor=actor, reason=f"Contact {a.email} added to the notes")
    endpoint = WebhookEndpointFactory()
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="customer.updated",
        payload={"data": {"contact_email": a.email, "contact_name": a.full_name}},
    )
    ImportJobFactory(
        created_by=actor or user,
        data=f"name,contact_email\nQuixo Co,{a.email}\n".encode(),
    )
    LogEntry.objects.create(
        user=actor or user,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(user.pk),
        object_repr=str(user),
        action_flag=ADDITION,
        change_message=f"Added {a.email}",
    )
    return a, {"customer": customer, "other_company": other_company, "location": location}


def make_purgeable_company(actor):
    """A deleted company with history, a site, two portal users with sign-ins, a join
    request, an issued and a draft invoice."""
    company = CustomerFactory(
        contact_name="Petra Nolander",
        contact_email="petra.nolander@purged.example",
        contact_phone="+14155550144",
        billing_contact_name="Bruno Kalvik",
        billing_email="bruno.kalvik@purged.example",
        internal_notes="Petra prefers calls",
    )
    customer_services.customer_update(
        customer_id=company.pk,
        data={"description": "Edited once"},
        expected_version=company.version,
        actor=actor,
    )
    location = LocationFactory(customer=company, notes="Keys with Petra Nolander")
    save_with_history(location, actor=actor, reason="Notes added")
    users = [
        MembershipFactory(
            customer=company,
            user__email=f"portal{i}@purged.example",
            user__first_name="Ulla",
            user__last_name=f"Portalsen{i}",
        ).user
        for i in range(2)
    ]
    for user in users:
        SignInEventFactory(user=user, ip_address="198.51.100.23", user_agent="PurgedAgent/1.0")
    JoinRequestFactory(customer=company, email="jona.joiner@purged.example")
    issued = InvoiceFactory(
        customer=company,
        billing_address="Purged Co\nBruno Kalvik\n1 Main St",
        billing_email="bruno.kalvik@purged.example",
    )
    draft = InvoiceFactory(
        customer=company,
        number=None,
        status="draft",
        issue_date=None,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        billing_address="Purged Co\nBruno Kalvik",
        billing_email="bruno.kalvik@purged.example",
    )
    customer_services.customer_soft_delete(customer_id=company.pk, actor=actor)
    return {
        "company": company,
        "users": users,
        "location": location,
        "issued": issued,
        "draft": draft,
    }
