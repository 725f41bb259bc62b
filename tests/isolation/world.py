"""The records every route can name, built once for the whole isolation package (see
conftest.py): two families of companies in tenant alpha, each a company with a sub-account and
one of every company record, plus the tenant's own records (plans, webhooks, staff).

Every record a URL can name gets an explicit id from 9,000,001 on: ids that tenant beta's
sequences never reach, so "another tenant asks for this id" is a 404 by construction and not
by the luck of two sequences differing."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from billing.models import CreditNote, InvoiceRun
from customers.models import Contact, ContactRole
from fields.models import CustomField, Tag
from portal.models import CompanyDomain
from tests.factories import (
    AssetFactory,
    CustomerFactory,
    ImportJobFactory,
    InvoiceFactory,
    JoinRequestFactory,
    LinkedAccountFactory,
    LocationFactory,
    MembershipFactory,
    MetricFactory,
    PaymentFactory,
    PermissionSetFactory,
    PlanFactory,
    ProjectFactory,
    SignInEventFactory,
    SubscriptionFactory,
    TeamFactory,
    UsageRecordFactory,
    UserFactory,
    WebhookEndpointFactory,
)
from tickets.models_sla import SlaPolicy

# A word in every name, email and number of a family's records: a response that shows one of
# another family's records contains it (checked for everyone who must not see that family).
TOKENS = {"A": "isoacme7q", "B": "isoglobex7q"}

# Whose records a URL names: the family ("A" is the family the signed-in customer users and
# limited staff belong to) and which of its companies.
TARGETS = {
    "own": ("A", "top"),
    "own_sub": ("A", "sub"),
    "other": ("B", "top"),
    "other_sub": ("B", "sub"),
    # Your own company in the URL, another company's record after it.
    "mixed": ("B", "top"),
}


@dataclass
class CompanyRecords:
    """One company and one of each record a route can name through it."""

    customer: object
    location: object
    asset: object
    project: object
    invoice: object  # issued, nothing paid yet
    paid_invoice: object  # issued, partly paid (a receipt exists)
    draft: object  # a draft invoice
    payment: object  # on paid_invoice
    subscription: object
    usage_record: object
    linked_account: object
    history: object  # a historical record of the customer
    member: object  # a read-only portal membership
    invitee: object  # a portal membership that has not set a password yet
    permission_set: object
    join_request: object
    email_domain: object  # an unverified email domain the company claims
    deleted: object  # a soft-deleted sub-account of the company
    # A live customer of the same family with no records (a sub-account of its company).
    prospect: object
    credit_note: object  # a credit note of paid_invoice
    contact: object  # a contact of the company, with an email (not a portal user)
    document: object  # a document on the company, shared with its portal (one PDF version)
    activity_task: object  # an open task on the company, shared with its portal (no author)
    ticket: object  # an open ticket of the company (no requester)
    ticket_file: object  # the file attached to ticket's description
    ticket_email: object  # the email ticket was opened from
    time_entry: object  # time logged on ticket (by nobody in particular)
    contract: object  # a running block-of-hours contract of the company, renewing yearly
    # Every company is a reseller (its sub-accounts are its clients) with a pending commission
    # statement of January 2026; its portal shows approved ones (commission_shown).
    commission_statement: object
    commission_shown: object  # an approved statement of December 2025


COMPANY_RECORDS = frozenset(f.name for f in fields(CompanyRecords))


@dataclass
class TenantRecords:
    """Records of the tenant, not of one company."""

    plan: object
    metric: object
    webhook: object
    staff_member: object  # a viewer, for the team pages
    import_job: object  # another user's import
    sign_in_event: object
    team: object
    customer_type: int  # the content type id of customers, for the admin's view-on-site
    media_path: str  # an uploaded file under the tenant's media directory
    invoice_run: object  # a finished draft run (its page offers to issue the drafts)
    contact_role: object  # one of the tenant's contact roles
    custom_field: object  # a custom field definition (fields app)
    tag: object  # one of the tenant's tags
    triage_email: object  # support mail from an unknown sender, waiting in triage
    sla_policy: object  # a service-level policy (not the default)


TENANT_RECORDS = frozenset(f.name for f in fields(TenantRecords))


class Objects:
    """What a case's ``kwargs`` builder reads: ``o.company`` (the company a portal URL is
    about), any company record (``o.location``…), any tenant record (``o.plan``…) and the
    platform's records (``o.public.tenant``…)."""

    def __init__(self, company, records: CompanyRecords, tenant: TenantRecords, public):
        self.company, self._records, self._tenant, self.public = company, records, tenant, public

    def __getattr__(self, name):
        if name in COMPANY_RECORDS:
            return getattr(self._records, name)
        if name in TENANT_RECORDS:
            return getattr(self._tenant, name)
        raise AttributeError(f"The isolation world has no {name!r}")


@dataclass
class PublicRecords:
    """Records of the platform's own (public) schema, for its administration pages."""

    tenant: object  # alpha
    user: object  # a platform operator
    sign_in_event: object
    job_id: int  # a queued background job
    tenant_type: int  # the content type id of tenants


@dataclass
class World:
    alpha: object
    beta: object
    companies: dict[tuple[str, str], CompanyRecords]  # (family, "top"|"sub") → records
    tenant_records: TenantRecords
    public_records: PublicRecords

    def objects(self, target: str) -> Objects:
        records = self.companies[TARGETS[target]]
        company = self.companies[("A", "top")].customer if target == "mixed" else records.customer
        return Objects(company, records, self.tenant_records, self.public_records)

    def company(self, family: str, level: str = "top"):
        return self.companies[(family, level)].customer


def build_world(alpha, beta) -> World:
    connection.set_tenant(alpha)
    ids = itertools.count(9_000_001)
    plan = PlanFactory(pk=next(ids), name="Isolation plan")
    # Has not chosen a password yet (the welcome email may be sent again).
    staff_member = UserFactory(
        pk=next(ids), role="viewer", email="teammate@alpha.example", password=None
    )
    # Checked, with a row in error: its page, its status and its error file answer.
    import_job = ImportJobFactory(
        pk=next(ids), created_by=staff_member, status="ready", error_count=1
    )
    import_job.rows.create(line=2, action="error", messages=[["external_id", "Taken."]])
    tenant_records = TenantRecords(
        plan=plan,
        metric=MetricFactory(pk=next(ids)),
        webhook=WebhookEndpointFactory(pk=next(ids)),
        staff_member=staff_member,
        import_job=import_job,
        sign_in_event=SignInEventFactory(pk=next(ids), user=staff_member),
        team=TeamFactory(pk=next(ids), name="Isolation team"),
        customer_type=ContentType.objects.get_by_natural_key("customers", "customer").pk,
        media_path=write_media_probe(alpha.schema_name),
        invoice_run=InvoiceRun.objects.create(
            pk=next(ids), period=date(2026, 1, 1), issue=False, status="done"
        ),
        contact_role=ContactRole.objects.create(pk=next(ids), name="Isolation role", order=90),
        custom_field=CustomField.objects.create(
            pk=next(ids),
            object_kind="customer",
            key="isolation",
            label="Isolation field",
            field_type="text",
        ),
        tag=Tag.objects.create(pk=next(ids), name="Isolation tag", slug="isolation-tag"),
        triage_email=build_inbound_email(next(ids), outcome="triage", token="unknown sender"),
        sla_policy=SlaPolicy.objects.create(
            pk=next(ids), name="Isolation SLA", around_the_clock=True, first_response_normal=60
        ),
    )
    shared = {"plan": plan, "metric": tenant_records.metric}
    public_records = build_public_records(alpha)
    connection.set_tenant(alpha)
    companies = {}
    for family, name in (("A", "Acme"), ("B", "Globex")):
        top = build_company(f"{name} {TOKENS[family]}", TOKENS[family], ids, **shared)
        sub = build_company(
            f"{name} Child {TOKENS[family]}", TOKENS[family], ids, parent=top.customer, **shared
        )
        companies[(family, "top")], companies[(family, "sub")] = top, sub
    return World(alpha, beta, companies, tenant_records, public_records)


def build_public_records(alpha) -> PublicRecords:
    connection.set_schema_to_public()
    user = UserFactory(role="", is_staff=True, email="operator@platform.example")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, priority, args, status, "
            "attempts, abort_requested) VALUES ('isolation', 'isolation.probe', 0, '{}', "
            "'todo', 0, false) RETURNING id"
        )
        job_id = cursor.fetchone()[0]
    return PublicRecords(
        tenant=alpha,
        user=user,
        sign_in_event=SignInEventFactory(user=user),
        job_id=job_id,
        tenant_type=ContentType.objects.get_by_natural_key("tenants", "tenant").pk,
    )


def build_company(name: str, token: str, ids, *, plan, metric, parent=None) -> CompanyRecords:
    n = next(ids)
    customer = CustomerFactory(
        pk=n, name=name, parent=parent, company_email=f"info.{token}.{n}@example.com"
    )
    location = LocationFactory(pk=next(ids), customer=customer, name=f"Site {token} {n}")
    invoice = InvoiceFactory(pk=next(ids), customer=customer, number=f"{token}-{n}")
    paid_invoice = InvoiceFactory(
        pk=next(ids),
        customer=customer,
        number=f"{token}-{n}-paid",
        amount_paid=10,
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
        issue_date=date(2026, 3, 1),
    )
    return CompanyRecords(
        customer=customer,
        location=location,
        asset=AssetFactory(pk=next(ids), location=location, name=f"SRV-{token}-{n}"),
        project=ProjectFactory(pk=next(ids), customer=customer, name=f"Project {token} {n}"),
        invoice=invoice,
        paid_invoice=paid_invoice,
        draft=InvoiceFactory(
            pk=next(ids),
            customer=customer,
            status="draft",
            number=None,
            issue_date=None,
            due_date=None,
            period_start=invoice.period_start - timedelta(days=31),
            period_end=invoice.period_start - timedelta(days=1),
        ),
        payment=PaymentFactory(pk=next(ids), invoice=paid_invoice),
        subscription=SubscriptionFactory(pk=next(ids), customer=customer, plan=plan),
        usage_record=UsageRecordFactory(pk=next(ids), customer=customer, metric=metric),
        linked_account=LinkedAccountFactory(
            pk=next(ids), customer=customer, external_id=f"{token}-{n}"
        ),
        history=customer.history.first(),
        member=MembershipFactory(
            pk=next(ids),
            customer=customer,
            user__pk=next(ids),
            user__email=f"member.{token}.{n}@example.com",
        ),
        invitee=MembershipFactory(
            pk=next(ids),
            customer=customer,
            user__pk=next(ids),
            user__email=f"invitee.{token}.{n}@example.com",
            user__password=None,
        ),
        permission_set=PermissionSetFactory(
            pk=next(ids), customer=customer, name=f"Set {token} {n}"
        ),
        join_request=JoinRequestFactory(
            pk=next(ids), customer=customer, email=f"join.{token}.{n}@example.com"
        ),
        email_domain=CompanyDomain.objects.create(
            pk=next(ids), customer=customer, domain=f"{token}-{n}.example", token=f"{token}{n}"
        ),
        deleted=CustomerFactory(
            pk=next(ids),
            name=f"Gone {token} {n}",
            parent=customer,
            deleted_at=timezone.now() - timedelta(days=1),
        ),
        prospect=CustomerFactory(
            pk=next(ids), name=f"Prospect {token} {n}", parent=parent or customer
        ),
        credit_note=CreditNote.objects.create(
            pk=next(ids),
            invoice=paid_invoice,
            customer=customer,
            customer_name=customer.name,
            number=f"CN-{token}-{n}",
            issue_date=date(2026, 3, 2),
            reason=f"Credit {token}",
            currency=paid_invoice.currency,
            subtotal=1,
            tax=0,
            total=1,
        ),
        contact=Contact.objects.create(
            pk=next(ids),
            customer=customer,
            name=f"Contact {token} {n}",
            email=f"contact.{token}.{n}@example.com",
        ),
        document=build_document(customer, token, ids),
        activity_task=build_activity_task(customer, token, ids),
        **build_ticket(customer, token, ids),
        **reseller_records(customer, token, ids),
    )


def build_activity_task(customer, token: str, ids):
    """An open task on the company with a Markdown body, shared with its portal."""
    from activity.models import Entry

    n = next(ids)
    return Entry.objects.create(
        pk=n,
        customer=customer,
        kind="task",
        title=f"Task {token} {n}",
        body=f"Follow up {token}",
        body_html=f"<p>Follow up {token}</p>",
        due_date=date(2026, 3, 1),
        shared_with_portal=True,
    )


def reseller_records(customer, token: str, ids) -> dict:
    """The company as a reseller, with a pending and an approved commission statement."""
    from billing.models import BillingProfile, CommissionStatement, CommissionStatementLine

    BillingProfile.objects.create(customer=customer, is_reseller=True, commission_rate=10)
    made = {}
    for key, month, status in (
        ("commission_statement", date(2026, 1, 1), "pending"),
        ("commission_shown", date(2025, 12, 1), "approved"),
    ):
        statement = CommissionStatement.objects.create(
            pk=next(ids), reseller=customer, reseller_name=customer.name, month=month,
            basis="payments", rate=10,
            base_total=100, total=10, status=status,
        )  # fmt: skip
        CommissionStatementLine.objects.create(
            statement=statement, client_name=f"Client {token}", base_amount=100, commission=10
        )
        made[key] = statement
    return made


def build_document(customer, token: str, ids):
    """A shared document with one stored version (the bytes in the documents storage)."""
    from django.core.files.base import ContentFile

    from documents.models import Document, DocumentVersion
    from documents.storage import documents_storage, new_key

    n = next(ids)
    document = Document.objects.create(
        pk=n, customer=customer, title=f"Document {token} {n}", shared_with_portal=True
    )
    content = b"%PDF-1.4\n" + f"isolation {token}\n".encode()
    version = DocumentVersion(
        pk=next(ids),
        document=document,
        number=1,
        original_name=f"contract-{token}.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    version.file.name = documents_storage().save(new_key(), ContentFile(content))
    version.save()
    Document.objects.filter(pk=document.pk).update(current=version)
    document.current = version
    return document


def build_ticket(customer, token: str, ids) -> dict:
    """An open ticket of the company with one file on its description."""
    from django.core.files.base import ContentFile

    from documents.storage import documents_storage, new_key
    from tickets.models import Attachment, Ticket

    n = next(ids)
    ticket = Ticket.objects.create(
        pk=n,
        customer=customer,
        subject=f"Ticket {token} {n}",
        description=f"Help {token}",
        description_html=f"<p>Help {token}</p>",
        status="open",
    )
    content = b"%PDF-1.4\n" + f"ticket {token}\n".encode()
    attachment = Attachment(
        pk=next(ids),
        ticket=ticket,
        original_name=f"screen-{token}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
    )
    attachment.file.name = documents_storage().save(new_key("tickets"), ContentFile(content))
    attachment.save()
    email = build_inbound_email(next(ids), outcome="ticket", token=token, ticket=ticket)
    from contracts.models import Contract
    from tickets.models import TimeEntry

    time_entry = TimeEntry.objects.create(
        pk=next(ids), ticket=ticket, minutes=30, work_date=date(2026, 3, 2)
    )
    contract = Contract.objects.create(
        pk=next(ids),
        customer=customer,
        name=f"Contract {token} {n}",
        kind="block",
        start_date=date(2026, 1, 1),
        end_date=date(2030, 12, 31),
        auto_renew=True,
        hours_included=10,
    )
    return {
        "ticket": ticket,
        "ticket_file": attachment,
        "ticket_email": email,
        "time_entry": time_entry,
        "contract": contract,
    }


def build_inbound_email(pk: int, *, outcome: str, token: str, ticket=None):
    """An email the support mailbox read (its raw message in the documents storage)."""
    from django.core.files.base import ContentFile

    from documents.storage import documents_storage, new_key
    from tickets.models import InboundEmail

    raw = f"From: someone@example.com\r\nSubject: Mail {token}\r\n\r\nHello {token}\r\n"
    email = InboundEmail(
        pk=pk,
        mail_id=f"<{pk}@isolation>",
        sender="someone@example.com",
        subject=f"Mail {token}",
        body=f"Hello {token}",
        outcome=outcome,
        ticket=ticket,
        size=len(raw),
    )
    email.raw.name = documents_storage().save(new_key("tickets-inbound"), ContentFile(raw.encode()))
    email.save()
    return email


def write_media_probe(schema_name: str) -> str:
    """A file the tenant's media route serves (``MEDIA_ROOT`` is a throwaway test directory)."""
    path = f"{schema_name}/isolation/probe.txt"
    target = Path(settings.MEDIA_ROOT) / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("isolation probe\n")
    return path


# --- Did a request write to the database? --------------------------------------------------

# PostgreSQL counts, per table, the rows the current transaction inserted, updated and
# deleted; comparing the counts before and after a request tells whether it wrote anything
# (even a write it undid, even an update to the same value), for a few milliseconds.
# Tables every request may write to: sessions, cached values and API rate-limit counters.
VOLATILE_TABLES = frozenset({"django_session", "clientele_cache", "core_ratecounter"})
# Every authenticated API call stamps its token's last_used_at: only new or deleted tokens
# count there.
INSERTS_ONLY = frozenset({"accounts_apitoken"})


def write_counts(*schemas: str) -> dict[str, tuple[int, ...]]:
    """Rows this transaction wrote so far, by table of ``schemas``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del "
            "FROM pg_stat_xact_user_tables WHERE schemaname = ANY(%s)",
            [list(schemas)],
        )
        return {
            f"{schema}.{table}": (ins, del_) if table in INSERTS_ONLY else (ins, upd, del_)
            for schema, table, ins, upd, del_ in cursor.fetchall()
            if table not in VOLATILE_TABLES
        }
