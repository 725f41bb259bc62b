"""The REST API (/api/v1/, DRF routers): every route and method, what it needs, and the
JSON a write sends. Updates send the target record's current ETag in If-Match."""

from .oracle import REFUSED
from .spec import BILLING, EDIT, MANAGE, VIEW, Case, Portal, pk_of

TOP_LEVEL = {"limited_staff": REFUSED}


def _api(name, need, method="get", kwargs=None, **fields) -> Case:
    return Case(f"api:{name}", need, method=method, kwargs=kwargs, **fields)


def _write(name, need, method="post", data=None, **fields) -> Case:
    return _api(name, need, method, data=data if data is not None else {}, **fields)


def _record(name: str):
    return pk_of(name)


CUSTOMER, LOCATION, ASSET, PROJECT = (
    _record(n) for n in ("customer", "location", "asset", "project")
)
MEMBER = _record("member")


def _location_body(o) -> dict:
    return {"name": "Put by API", "location_type": "office", "status": "active", "country": "US"}


CONSOLE_API_CASES = [
    _api("customer-list", VIEW),
    # New top-level customers: beyond the reach of a staff user limited to some customers.
    _write("customer-list", EDIT, data={"name": "Matrix API Co"}, actor_answers=TOP_LEVEL),
    _write("customer-bulk", EDIT, data=[{"name": "Matrix Bulk Co"}], actor_answers=TOP_LEVEL),
    # The duplicate check, asked about family B's companies by their word: those who reach
    # them are told, a limited user of family A must not learn their names (the leak check).
    _api("customer-duplicates", EDIT, data={"name": "isoglobex7q"}),
    _api("customer-detail", VIEW, kwargs=CUSTOMER),
    _write(
        "customer-detail",
        EDIT,
        "patch",
        {"industry": "Retail"},
        kwargs=CUSTOMER,
        etag=lambda o: o.customer,
    ),
    _write(
        "customer-detail",
        EDIT,
        "put",
        {"name": "Put by API", "business_type": "smb", "status": "active"},
        kwargs=CUSTOMER,
        etag=lambda o: o.customer,
    ),
    _write("customer-detail", MANAGE, "delete", kwargs=CUSTOMER),
    _write("customer-account", MANAGE, data={"action": "deactivate"}, kwargs=CUSTOMER),
    _api("linked-account-list", VIEW),
    _api("linked-account-detail", VIEW, kwargs=_record("linked_account")),
    _api("location-list", VIEW),
    _write(
        "location-list",
        EDIT,
        data=lambda o: {**_location_body(o), "customer": o.customer.pk, "name": "API site"},
    ),
    _api("location-detail", VIEW, kwargs=LOCATION),
    _write(
        "location-detail",
        EDIT,
        "patch",
        {"name": "Renamed by API"},
        kwargs=LOCATION,
        etag=lambda o: o.location,
    ),
    _write(
        "location-detail",
        EDIT,
        "put",
        lambda o: {**_location_body(o), "customer": o.customer.pk},
        kwargs=LOCATION,
        etag=lambda o: o.location,
    ),
    _api("asset-list", VIEW),
    _write(
        "asset-list",
        EDIT,
        data=lambda o: {
            "name": "API-SRV",
            "serial_number": "API-SN-1",
            "category": "server",
            "status": "deployed",
            "location": o.location.pk,
        },
    ),
    _api("asset-detail", VIEW, kwargs=ASSET),
    _write(
        "asset-detail", EDIT, "patch", {"name": "Renamed"}, kwargs=ASSET, etag=lambda o: o.asset
    ),
    _write(
        "asset-detail",
        EDIT,
        "put",
        {"name": "Put", "serial_number": "PUT-SN", "category": "other", "status": "deployed"},
        kwargs=ASSET,
        etag=lambda o: o.asset,
    ),
    _api("project-list", VIEW),
    _write(
        "project-list",
        EDIT,
        data=lambda o: {
            "customer": o.customer.pk,
            "name": "API project",
            "start_date": "2026-03-01",
        },
    ),
    _api("project-detail", VIEW, kwargs=PROJECT),
    _write(
        "project-detail",
        EDIT,
        "patch",
        {"name": "Renamed"},
        kwargs=PROJECT,
        etag=lambda o: o.project,
    ),
    _write(
        "project-detail",
        EDIT,
        "put",
        lambda o: {"customer": o.customer.pk, "name": "Put project", "start_date": "2026-03-01"},
        kwargs=PROJECT,
        etag=lambda o: o.project,
    ),
    _api("subscription-list", VIEW),
    _write(
        "subscription-list",
        BILLING,
        data=lambda o: {
            "customer": o.prospect.pk,
            "plan": o.plan.pk,
            "seats": 2,
            "start_date": "2026-03-01",
        },
    ),
    _api("subscription-detail", VIEW, kwargs=_record("subscription")),
    _api("usage-record-list", VIEW),
    _write(
        "usage-record-list",
        EDIT,
        data=lambda o: {
            "customer": o.customer.pk,
            "metric": o.metric.code,
            "day": "2026-03-01",
            "quantity": "2",
        },
    ),
    _api("usage-record-detail", VIEW, kwargs=_record("usage_record")),
    _api("invoice-list", VIEW),
    _api("invoice-detail", VIEW, kwargs=_record("invoice")),
    _api("payment-list", VIEW),
    _write(
        "payment-list",
        BILLING,
        data=lambda o: {
            "invoice": o.invoice.pk,
            "amount": "1.00",
            "method": "cheque",
            "paid_on": "2026-02-10",
        },
    ),
    _api("payment-detail", VIEW, kwargs=_record("payment")),
    _api("credit-note-list", VIEW),
    _write(
        "credit-note-list",
        BILLING,
        data=lambda o: {"invoice": o.invoice.pk, "amount": "1.00", "reason": "Matrix"},
    ),
    _api("credit-note-detail", VIEW, kwargs=_record("credit_note")),
    _api("portal-user-list", VIEW),
    _write(
        "portal-user-list",
        MANAGE,
        data=lambda o: {
            "customer": o.customer.pk,
            "email": "api@matrix.example",
            "first_name": "A",
            "last_name": "P",
            "role": "full",
        },
    ),
    _api("portal-user-detail", VIEW, kwargs=MEMBER),
    _write("portal-user-detail", MANAGE, "delete", kwargs=MEMBER),
    _write("portal-user-role", MANAGE, data={"role": "full"}, kwargs=MEMBER),
    _write("portal-user-deactivate", MANAGE, kwargs=MEMBER),
    _write(
        "portal-user-reactivate",
        MANAGE,
        kwargs=MEMBER,
        no_effect="the member is active: reactivating changes nothing",
    ),
    _write("portal-user-resend-invitation", MANAGE, kwargs=_record("invitee")),
    _write("portal-user-password-reset", MANAGE, kwargs=MEMBER),
    _write(
        "portal-user-unlock",
        MANAGE,
        kwargs=MEMBER,
        no_effect="nothing locks the member out: unlocking changes nothing",
    ),
]


def _company(o) -> dict:
    return {"cid": o.company.pk}


def _in_company(name: str):
    return lambda o: {"cid": o.company.pk, "pk": getattr(o, name).pk}


VIEW_USERS, MANAGE_USERS = Portal("view_users"), Portal("manage_users")
USER = _in_company("member")

PORTAL_API_CASES = [
    _api("portal-company-user-list", VIEW_USERS, kwargs=_company),
    _write(
        "portal-company-user-list",
        MANAGE_USERS,
        data={"email": "api@acme.example", "first_name": "A", "last_name": "P", "role": "full"},
        kwargs=_company,
    ),
    _api("portal-company-user-detail", VIEW_USERS, kwargs=USER),
    _write("portal-company-user-detail", MANAGE_USERS, "delete", kwargs=USER),
    _write("portal-company-user-role", MANAGE_USERS, data={"role": "full"}, kwargs=USER),
    _write("portal-company-user-deactivate", MANAGE_USERS, kwargs=USER),
    _write(
        "portal-company-user-reactivate",
        MANAGE_USERS,
        kwargs=USER,
        no_effect="the member is active: reactivating changes nothing",
    ),
    _write("portal-company-user-password-reset", MANAGE_USERS, kwargs=USER),
    _api("portal-company-join-request-list", MANAGE_USERS, kwargs=_company),
    _api("portal-company-join-request-detail", MANAGE_USERS, kwargs=_in_company("join_request")),
    _write("portal-company-join-request-approve", MANAGE_USERS, kwargs=_in_company("join_request")),
    _write("portal-company-join-request-decline", MANAGE_USERS, kwargs=_in_company("join_request")),
    _api("portal-company-domain-list", MANAGE_USERS, kwargs=_company),
    _api("portal-company-domain-detail", MANAGE_USERS, kwargs=_in_company("email_domain")),
    _api("portal-company-location-list", Portal("view_locations"), kwargs=_company),
    _api(
        "portal-company-location-detail", Portal("view_locations"), kwargs=_in_company("location")
    ),
    _write(
        "portal-company-location-detail",
        Portal("manage_locations"),
        "patch",
        {"name": "Renamed by API"},
        kwargs=_in_company("location"),
        etag=lambda o: o.location,
    ),
    _api("portal-company-asset-list", Portal("view_assets"), kwargs=_company),
    _api("portal-company-asset-detail", Portal("view_assets"), kwargs=_in_company("asset")),
]

API_CASES = CONSOLE_API_CASES + PORTAL_API_CASES

# Contacts (#18): scoped like their customer; no DELETE (a contact who left is archived).
CONTACT = _record("contact")
CONTACT_API_CASES = [
    _api("contact-list", VIEW),
    _write(
        "contact-list",
        EDIT,
        data=lambda o: {"customer": o.customer.pk, "name": "API Contact", "email": "a@x.example"},
    ),
    _api("contact-detail", VIEW, kwargs=CONTACT),
    _write(
        "contact-detail",
        EDIT,
        "patch",
        {"title": "Set by API"},
        kwargs=CONTACT,
        etag=lambda o: o.contact,
    ),
    _write(
        "contact-detail",
        EDIT,
        "put",
        lambda o: {"customer": o.customer.pk, "name": "Put Contact"},
        kwargs=CONTACT,
        etag=lambda o: o.contact,
    ),
    _write("contact-archive", EDIT, data={"archived": True}, kwargs=CONTACT),
    _api("contact-role-list", VIEW),
    _api("contact-role-detail", VIEW, kwargs=lambda o: {"pk": o.contact_role.pk}),
]
API_CASES += CONTACT_API_CASES

# Documents (#18): scoped like their record. Uploads are multipart (tests/api/
# test_documents_api.py); the matrix sends JSON, which carries no file: a 400 for whoever may
# upload, the same refusals as ever for everyone else.
DOCUMENT = _record("document")
NO_FILE = "a JSON body carries no file (uploads are multipart)"
DOCUMENT_API_CASES = [
    _api("document-list", VIEW),
    _write(
        "document-list",
        EDIT,
        data=lambda o: {"customer": o.customer.pk, "title": "API document"},
        ok=(400,),
        no_effect=NO_FILE,
    ),
    _api("document-detail", VIEW, kwargs=DOCUMENT),
    _api("document-download", VIEW, kwargs=DOCUMENT),
    _write("document-versions", EDIT, kwargs=DOCUMENT, ok=(400,), no_effect=NO_FILE),
]
API_CASES += DOCUMENT_API_CASES

# Activity (#18): entries scoped like their record; the world's are tasks nobody wrote (any
# editor changes or ticks them; deleting is the author's or an admin's: MANAGE here).
ENTRY = _record("activity_task")
ACTIVITY_API_CASES = [
    _api("activity-entry-list", VIEW),
    _write(
        "activity-entry-list",
        EDIT,
        data=lambda o: {"kind": "note", "customer": o.customer.pk, "body": "API note"},
    ),
    _api("activity-entry-detail", VIEW, kwargs=ENTRY),
    _write("activity-entry-detail", EDIT, "patch", data={"title": "Renamed task"}, kwargs=ENTRY),
    _write("activity-entry-detail", MANAGE, "delete", kwargs=ENTRY),
    _write("activity-entry-complete", EDIT, kwargs=ENTRY),
    _write("activity-entry-reopen", EDIT, kwargs=ENTRY, no_effect="it is not done"),
]
API_CASES += ACTIVITY_API_CASES

# Tickets (#19): scoped like their company; working them needs EDIT. The world has one ticket
# per company, so merging it into itself is refused (400).
TICKET = _record("ticket")
TICKETS_API_CASES = [
    _api("ticket-list", VIEW),
    _write(
        "ticket-list",
        EDIT,
        data=lambda o: {"customer": o.customer.pk, "subject": "API ticket", "description": "x"},
    ),
    _api("ticket-detail", VIEW, kwargs=TICKET),
    _write(
        "ticket-detail",
        EDIT,
        "patch",
        data={"priority": "high"},
        kwargs=TICKET,
        etag=lambda o: o.ticket,
    ),
    _api("ticket-messages", VIEW, kwargs=TICKET),
    _write("ticket-messages", EDIT, data={"body": "API reply"}, kwargs=TICKET),
    _write(
        "ticket-merge",
        EDIT,
        data=lambda o: {"into": o.ticket.pk},
        kwargs=TICKET,
        ok=(400,),
        no_effect="merging a ticket into itself is refused",
    ),
]
API_CASES += TICKETS_API_CASES

# Contracts (#19): scoped like their company; terminating needs MANAGE.
CONTRACT = _record("contract")
CONTRACTS_API_CASES = [
    _api("contract-list", VIEW),
    _write(
        "contract-list",
        EDIT,
        data=lambda o: {
            "customer": o.customer.pk,
            "name": "API contract",
            "kind": "retainer",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
        },
    ),
    _api("contract-detail", VIEW, kwargs=CONTRACT),
    _write(
        "contract-detail",
        EDIT,
        "patch",
        data={"name": "Renamed contract"},
        kwargs=CONTRACT,
        etag=lambda o: o.contract,
    ),
    _write(
        "contract-detail",
        EDIT,
        "put",
        data=lambda o: {
            "customer": o.customer.pk,
            "name": "Replaced contract",
            "kind": "block",
            "hours_included": "20",
            "start_date": "2026-01-01",
            "end_date": "2030-12-31",
        },
        kwargs=CONTRACT,
        etag=lambda o: o.contract,
    ),
    _write("contract-renew", EDIT, kwargs=CONTRACT),
    _write("contract-terminate", MANAGE, data={"reason": "API termination"}, kwargs=CONTRACT),
]
API_CASES += CONTRACTS_API_CASES
