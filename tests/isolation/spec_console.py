"""The console's pages: every route, what it needs, and what a write sends.

``kwargs`` name the target's records (``o.customer``…: company A's for staff, another
company's for the actors that must not reach it); see spec.py for the vocabulary."""

from datetime import date, timedelta

from .oracle import FORBIDDEN, NOT_FOUND, REFUSED
from .spec import (
    ASSET,
    BILLING,
    CUSTOMER,
    DELETED,
    DRAFT,
    EDIT,
    IMPORT,
    INVOICE,
    LOCATION,
    MANAGE,
    PROJECT,
    SUBSCRIPTION,
    TENANT_SETTINGS,
    VIEW,
    Anyone,
    Case,
    SignedIn,
    pk_of,
)

TODAY_ISH = "2026-03-01"
# A month that is over (the world's companies are resellers: preparing it makes statements).
LAST_MONTH = (date.today().replace(day=1) - timedelta(days=1)).replace(day=1).isoformat()


# Tenant-wide billing pages (invoice runs, billing settings) need an unlimited scope.
TENANT_WIDE = {"limited_staff": FORBIDDEN}
# Staff limited to some customers cannot add top-level customers (only sub-accounts of theirs).
TOP_LEVEL_REFUSED = {"limited_staff": REFUSED}


def _post(name, need, data=None, **fields) -> Case:
    return Case(name, need, method="post", data=data if data is not None else {}, **fields)


def _member(o):
    return {"pk": o.staff_member.pk}


def _invoice_run(o):
    """A tenant's invoice run: every customer's, so not for staff limited to some."""
    return {"pk": o.invoice_run.pk}


def _import_job(o):
    """Another user's import: its page is for admins and owners (staff get 403)."""
    return {"pk": o.import_job.pk}


CORE = [
    # Customer users are sent to their portal from the console's home.
    Case("core:dashboard", VIEW, answers={"customer": 302}),
    Case("core:settings", VIEW),
    _post(
        "core:settings",
        TENANT_SETTINGS,
        {
            "name": "Renamed",
            "currency": "EUR",
            "locale": "en-US",
            "timezone": "UTC",
            "soft_delete_grace_days": 14,
        },
    ),
    Case("core:team", VIEW),
    Case("search:global", VIEW, variant="empty"),
    Case("core:staff_invite", TENANT_SETTINGS),
    _post(
        "core:staff_invite",
        TENANT_SETTINGS,
        {
            "first_name": "Ivy",
            "last_name": "Invitee",
            "email": "ivy@alpha.example",
            "role": "viewer",
        },
    ),
    Case("core:staff_update", TENANT_SETTINGS, kwargs=_member),
    _post(
        "core:staff_update", TENANT_SETTINGS, {"role": "staff", "is_active": "on"}, kwargs=_member
    ),
    # A customer user's id is nobody on the team: not found, even for the owner.
    Case(
        "core:staff_update",
        TENANT_SETTINGS,
        variant="a customer user",
        kwargs=lambda o: {"pk": o.member.user_id},
        negative="the id is no staff user's; the team page itself is the positive control",
        actor_answers={"owner": NOT_FOUND},
    ),
    _post("core:staff_resend_welcome", TENANT_SETTINGS, kwargs=_member),
    # Two-factor: the owner's policy for staff, a team member's second factor (the world's
    # has none, so a reset is the form's message; tests/accounts covers a real reset), and
    # the enrolment page everyone signed in may open.
    Case("core:security", TENANT_SETTINGS),
    _post(
        "core:security",
        TENANT_SETTINGS,
        {"require_two_factor_for_staff": "on", "reason": "matrix"},
    ),
    Case("core:staff_two_factor", TENANT_SETTINGS, kwargs=_member),
    _post(
        "core:staff_two_factor",
        TENANT_SETTINGS,
        {"reason": "lost phone"},
        kwargs=_member,
        no_effect="the world's staff member has no second factor to reset: a form error",
    ),
    Case(
        "core:staff_two_factor",
        TENANT_SETTINGS,
        variant="a customer user",
        kwargs=lambda o: {"pk": o.member.user_id},
        negative="the id is no staff user's; the team page itself is the positive control",
        actor_answers={"owner": NOT_FOUND},
    ),
    Case("core:two_factor_setup", SignedIn()),
    # Everyone's own tokens: any console role.
    Case("core:api_tokens", VIEW),
    _post("core:api_tokens", VIEW, {"name": "Matrix"}),
]


def _team(o):
    return {"pk": o.team.pk}


TEAMS = [
    Case("customers:team_list", TENANT_SETTINGS),
    Case("customers:team_create", TENANT_SETTINGS),
    _post("customers:team_create", TENANT_SETTINGS, {"name": "Matrix team"}),
    Case("customers:team_update", TENANT_SETTINGS, kwargs=_team),
    _post(
        "customers:team_update",
        TENANT_SETTINGS,
        {"name": "Renamed team"},
        kwargs=_team,
    ),
    Case("customers:team_delete", TENANT_SETTINGS, kwargs=_team),
    _post("customers:team_delete", TENANT_SETTINGS, kwargs=_team),
    Case("customers:staff_access", TENANT_SETTINGS, kwargs=_member),
    _post(
        "customers:staff_access",
        TENANT_SETTINGS,
        lambda o: {"access": "assigned", "customers": [o.customer.pk]},
        kwargs=_member,
    ),
]

CUSTOMERS = [
    Case("customers:customer_list", VIEW),
    Case("customers:customer_create", EDIT),
    _post(
        "customers:customer_create",
        EDIT,
        {"customer_create_wizard-current_step": "company", "company-name": "Wizard Co"},
        no_effect="a wizard: the first step moves on to the next (in the session); the last creates",
    ),
    Case("customers:customer_quick_add", EDIT),
    # A new top-level customer: beyond the reach of a staff user limited to some customers.
    _post(
        "customers:customer_quick_add",
        EDIT,
        {"name": "Matrix Co"},
        actor_answers=TOP_LEVEL_REFUSED,
    ),
    Case("customers:customer_autocomplete", VIEW),
    Case("customers:customer_duplicates", EDIT),  # the wizard's check while typing
    Case("customers:customer_detail", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_update", EDIT, kwargs=CUSTOMER),
    _post(
        "customers:customer_update",
        EDIT,
        lambda o: {
            "name": "Renamed Co",
            "business_type": "smb",
            "status": "active",
            "version": o.customer.version,
        },
        kwargs=CUSTOMER,
    ),
    Case("customers:customer_subaccounts", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_linked", VIEW, kwargs=CUSTOMER),
    _post(
        "customers:customer_linked",
        EDIT,
        {"provider": "AWS", "kind": "account", "external_id": "1234"},
        kwargs=CUSTOMER,
    ),
    _post(
        "customers:linked_account_unlink",
        EDIT,
        kwargs=lambda o: {"pk": o.customer.pk, "account_pk": o.linked_account.pk},
    ),
    Case("customers:customer_history", VIEW, kwargs=CUSTOMER),
    Case(
        "customers:customer_restore_fields",
        MANAGE,
        kwargs=lambda o: {"pk": o.customer.pk, "history_id": o.history.history_id},
    ),
    _post(
        "customers:customer_restore_fields",
        MANAGE,
        {"fields": ["name"]},
        kwargs=lambda o: {"pk": o.customer.pk, "history_id": o.history.history_id},
        no_effect="the customer has not changed since its first record: nothing to restore",
    ),
    Case("customers:customer_projects", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_locations", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_assets_on_location", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_assets_owned", VIEW, kwargs=CUSTOMER),
    Case("customers:customer_archive", MANAGE, kwargs=CUSTOMER),
    _post("customers:customer_archive", MANAGE, kwargs=CUSTOMER),
    Case("customers:customer_unarchive", MANAGE, kwargs=CUSTOMER),
    _post(
        "customers:customer_unarchive",
        MANAGE,
        kwargs=CUSTOMER,
        no_effect="the customer is not archived: unarchiving it changes nothing",
    ),
    Case("customers:customer_delete", MANAGE, kwargs=CUSTOMER),
    _post("customers:customer_delete", MANAGE, kwargs=CUSTOMER),
    # The account status (customers.account_status).
    Case("customers:customer_account_suspend", MANAGE, kwargs=CUSTOMER),
    _post("customers:customer_account_suspend", MANAGE, {"reason": "Matrix"}, kwargs=CUSTOMER),
    Case("customers:customer_account_deactivate", MANAGE, kwargs=CUSTOMER),
    _post("customers:customer_account_deactivate", MANAGE, kwargs=CUSTOMER),
    Case("customers:customer_account_reactivate", MANAGE, kwargs=CUSTOMER),
    _post(
        "customers:customer_account_reactivate",
        MANAGE,
        kwargs=CUSTOMER,
        no_effect="the account is active: reactivating is refused with a message",
    ),
    Case("customers:customer_restore", MANAGE, kwargs=DELETED),
    _post("customers:customer_restore", MANAGE, kwargs=DELETED),
    Case("customers:customer_purge", MANAGE, kwargs=DELETED),
    _post("customers:customer_purge", MANAGE, kwargs=DELETED),
    # Merging a duplicate into the customer: its prospect (a sub-account with no records).
    Case("customers:customer_merge", MANAGE, kwargs=CUSTOMER),
    _post(
        "customers:customer_merge",
        MANAGE,
        lambda o: {"other": o.prospect.pk, "confirm": "on", "reason": "Matrix"},
        kwargs=CUSTOMER,
    ),
    # The customer page's Users tab (its views live in the portal app).
    Case("portal:customer_users", VIEW, kwargs=CUSTOMER),
    _post(
        "portal:customer_users",
        MANAGE,
        {
            "first_name": "New",
            "last_name": "Admin",
            "email": "new.admin@matrix.example",
            "role": "admin",
        },
        kwargs=CUSTOMER,
    ),
    # Under the Users tab: the company's email domains (admins add, prove and remove them).
    Case("portal:customer_domains", VIEW, kwargs=CUSTOMER),
    _post(
        "portal:customer_domains",
        MANAGE,
        {"action": "add", "domain": "matrix-console.example"},
        kwargs=CUSTOMER,
        variant="add",
    ),
    _post(
        "portal:customer_domains",
        MANAGE,
        lambda o: {
            "action": "send",
            "did": o.email_domain.pk,
            "address": f"hostmaster@{o.email_domain.domain}",
        },
        kwargs=CUSTOMER,
        variant="send",
    ),
    _post(
        "portal:customer_domains",
        MANAGE,
        lambda o: {"action": "check", "did": o.email_domain.pk},
        kwargs=CUSTOMER,
        variant="check",
        no_effect="no DNS server answers in tests: the check fails with a message",
    ),
    _post(
        "portal:customer_domains",
        MANAGE,
        lambda o: {"action": "remove", "did": o.email_domain.pk},
        kwargs=CUSTOMER,
        variant="remove",
    ),
    _post(
        "portal:customer_user_action",
        MANAGE,
        {"action": "reset"},
        kwargs=lambda o: {"pk": o.customer.pk, "mid": o.member.pk},
    ),
    _post(
        "portal:customer_user_action",
        MANAGE,
        {"action": "reset_two_factor", "reason": "lost phone"},
        kwargs=lambda o: {"pk": o.customer.pk, "mid": o.member.pk},
        variant="reset two-factor",
        no_effect="the world's member has no second factor to reset: a message says so",
    ),
]

LOCATIONS = [
    Case("locations:location_list", VIEW),
    Case("locations:location_autocomplete", VIEW),
    Case("locations:location_create", EDIT),
    _post(
        "locations:location_create",
        EDIT,
        lambda o: {
            "customer": o.customer.pk,
            "name": "New site",
            "location_type": "office",
            "status": "active",
            "country": "US",
        },
    ),
    Case("locations:location_detail", VIEW, kwargs=LOCATION),
    Case("locations:location_update", EDIT, kwargs=LOCATION),
    _post(
        "locations:location_update",
        EDIT,
        {"name": "Renamed", "location_type": "office", "status": "active", "country": "US"},
        kwargs=LOCATION,
    ),
    Case("locations:location_move", MANAGE, kwargs=LOCATION),
    _post(
        "locations:location_move",
        MANAGE,
        lambda o: {"customer": o.prospect.pk},
        kwargs=LOCATION,
    ),
    Case("locations:location_archive", MANAGE, kwargs=LOCATION),
    _post("locations:location_archive", MANAGE, kwargs=LOCATION),
    Case("locations:location_unarchive", MANAGE, kwargs=LOCATION),
    _post(
        "locations:location_unarchive",
        MANAGE,
        kwargs=LOCATION,
        no_effect="the location is not archived",
    ),
]

ASSETS = [
    Case("assets:asset_list", VIEW),
    Case("assets:asset_create", EDIT),
    _post(
        "assets:asset_create",
        EDIT,
        lambda o: {
            "name": "SRV-NEW",
            "serial_number": "SN-NEW-1",
            "category": "server",
            "status": "deployed",
            "owner": o.customer.pk,
            "location": o.location.pk,
        },
    ),
    _post(
        "assets:asset_bulk",
        EDIT,
        lambda o: {"action": "status", "status": "lost", "asset_ids": [o.asset.pk]},
    ),
    # One id nobody here can reach (another tenant's asset, say) among reachable ones: the
    # whole bulk change is refused and nothing changes, for everyone allowed to bulk edit.
    _post(
        "assets:asset_bulk",
        EDIT,
        lambda o: {"action": "status", "status": "lost", "asset_ids": [o.asset.pk, 8_999_999]},
        variant="an id out of reach",
        negative="a refusal by design; the bulk change without it is the positive control",
        actor_answers=dict.fromkeys(("owner", "admin", "staff", "limited_staff"), REFUSED),
    ),
    Case("assets:asset_detail", VIEW, kwargs=ASSET),
    Case("assets:asset_update", EDIT, kwargs=ASSET),
    _post(
        "assets:asset_update",
        EDIT,
        lambda o: {
            "name": "Renamed",
            "serial_number": "SN-RENAMED",
            "category": "other",
            "status": "deployed",
            "owner": o.customer.pk,
            "location": o.location.pk,
        },
        kwargs=ASSET,
    ),
    Case("assets:asset_archive", MANAGE, kwargs=ASSET),
    _post("assets:asset_archive", MANAGE, kwargs=ASSET),
    Case("assets:asset_unarchive", MANAGE, kwargs=ASSET),
    _post("assets:asset_unarchive", MANAGE, kwargs=ASSET, no_effect="the asset is not archived"),
]


def _upload(kind: str) -> dict:
    return {"kind": kind}


IMPORTS = [
    Case(
        "imports:import_upload", IMPORT, variant="customers", kwargs=lambda o: _upload("customers")
    ),
    Case("imports:import_upload", IMPORT, variant="assets", kwargs=lambda o: _upload("assets")),
    Case(
        "imports:import_upload", IMPORT, variant="contracts", kwargs=lambda o: _upload("contracts")
    ),
    _post(
        "imports:import_upload",
        IMPORT,
        variant="locations",
        kwargs=lambda o: _upload("locations"),
        no_effect="no file sent: the form asks for one",
    ),
    Case(
        "imports:import_template",
        IMPORT,
        variant="customers",
        kwargs=lambda o: {"kind": "customers", "fmt": "xlsx"},
    ),
    # Usage imports need billing rights on top (admins and owners).
    Case("imports:import_upload", BILLING, variant="usage", kwargs=lambda o: _upload("usage")),
    _post(
        "imports:import_upload",
        BILLING,
        variant="usage",
        kwargs=lambda o: _upload("usage"),
        no_effect="no file sent: the form asks for one",
    ),
    Case(
        "imports:import_template",
        BILLING,
        variant="usage",
        kwargs=lambda o: {"kind": "usage", "fmt": "csv"},
    ),
    Case("imports:import_job", MANAGE, kwargs=_import_job),
    Case("imports:import_job_status", MANAGE, kwargs=_import_job),
    Case("imports:import_job_errors", MANAGE, kwargs=_import_job),
    _post(
        "imports:import_job_confirm",
        MANAGE,
        kwargs=_import_job,
        no_effect="the file has a row in error: confirming it is refused with a message",
    ),
]

PROJECTS = [
    Case("billing:project_list", VIEW),
    Case("billing:project_create", EDIT),
    _post(
        "billing:project_create",
        EDIT,
        lambda o: {
            "customer": o.customer.pk,
            "name": "New project",
            "start_date": TODAY_ISH,
            "monthly_fee": "10",
            "contract_value": "100",
        },
    ),
    Case("billing:project_detail", VIEW, kwargs=PROJECT),
    Case("billing:project_update", EDIT, kwargs=PROJECT),
    _post(
        "billing:project_update",
        EDIT,
        lambda o: {
            "customer": o.customer.pk,
            "name": "Renamed project",
            "start_date": TODAY_ISH,
            "monthly_fee": "10",
            "contract_value": "100",
        },
        kwargs=PROJECT,
    ),
]

TIERS = {"tiers-TOTAL_FORMS": "0", "tiers-INITIAL_FORMS": "0"}

BILLING_PAGES = [
    Case("billing:invoice_list", VIEW),
    Case("billing:invoice_detail", VIEW, kwargs=INVOICE),
    Case("billing:invoice_pdf", VIEW, kwargs=INVOICE),
    Case("billing:invoice_receipt", VIEW, kwargs=pk_of("paid_invoice")),
    _post(
        "billing:invoice_payment",
        BILLING,
        {"amount": "1.00", "method": "cheque", "paid_on": "2026-02-10", "reference": ""},
        kwargs=INVOICE,
    ),
    Case("billing:invoice_issue", BILLING, kwargs=DRAFT),
    _post("billing:invoice_issue", BILLING, kwargs=DRAFT),
    Case("billing:invoice_delete", BILLING, kwargs=DRAFT),
    _post("billing:invoice_delete", BILLING, kwargs=DRAFT),
    Case("billing:invoice_void", BILLING, kwargs=INVOICE),
    _post("billing:invoice_void", BILLING, {"reason": "Matrix"}, kwargs=INVOICE),
    # Credit notes (#15): issued from an open invoice; the customer's credit applied by hand.
    Case("billing:credit_note_create", BILLING, kwargs=INVOICE),
    _post(
        "billing:credit_note_create",
        BILLING,
        {"mode": "amount", "amount": "1.00", "reason": "Matrix"},
        kwargs=INVOICE,
    ),
    Case("billing:credit_note_detail", VIEW, kwargs=pk_of("credit_note")),
    Case("billing:credit_note_pdf", VIEW, kwargs=pk_of("credit_note")),
    _post(
        "billing:invoice_apply_credit",
        BILLING,
        {"amount": ""},
        kwargs=INVOICE,
        no_effect="the company has no credit: refused with a message, nothing written",
    ),
    Case("billing:invoice_runs", VIEW, actor_answers=TENANT_WIDE),
    _post(
        "billing:invoice_runs",
        BILLING,
        {"month": "2026-01", "issue": ""},
        no_effect="the run is queued after the request commits (tests roll back first)",
    ),
    Case("billing:invoice_run_detail", VIEW, kwargs=_invoice_run, actor_answers=TENANT_WIDE),
    Case("billing:invoice_run_status", VIEW, kwargs=_invoice_run, actor_answers=TENANT_WIDE),
    _post(
        "billing:invoice_run_issue",
        BILLING,
        {"notify": ""},
        kwargs=_invoice_run,
        actor_answers=TENANT_WIDE,
        no_effect="the issuing run is queued after the request commits (tests roll back first)",
    ),
    Case("billing:subscription_list", VIEW),
    Case("billing:subscription_create", BILLING),
    _post(
        "billing:subscription_create",
        BILLING,
        lambda o: {
            "customer": o.prospect.pk,
            "plan": o.plan.pk,
            "seats": 2,
            "start_date": TODAY_ISH,
            "anchor_day": 1,
        },
    ),
    Case("billing:subscription_detail", VIEW, kwargs=SUBSCRIPTION),
    Case("billing:subscription_change", BILLING, kwargs=SUBSCRIPTION),
    _post(
        "billing:subscription_change",
        BILLING,
        lambda o: {"plan": o.plan.pk, "seats": 3, "effective_from": TODAY_ISH},
        kwargs=SUBSCRIPTION,
    ),
    Case("billing:subscription_cancel", BILLING, kwargs=SUBSCRIPTION),
    _post("billing:subscription_cancel", BILLING, {"on": "2026-02-01"}, kwargs=SUBSCRIPTION),
    Case("billing:plan_list", VIEW),
    Case("billing:plan_create", BILLING),
    _post(
        "billing:plan_create",
        BILLING,
        {"name": "Matrix plan", "monthly_fee": "5", "seat_fee": "0", **TIERS},
    ),
    Case("billing:plan_update", BILLING, kwargs=lambda o: {"pk": o.plan.pk}),
    _post(
        "billing:plan_update",
        BILLING,
        {"name": "Renamed plan", "monthly_fee": "6", "seat_fee": "1", "is_active": "on", **TIERS},
        kwargs=lambda o: {"pk": o.plan.pk},
    ),
    Case("billing:usagerecord_list", VIEW),
    Case("billing:usagerecord_create", EDIT),
    _post(
        "billing:usagerecord_create",
        EDIT,
        lambda o: {
            "customer": o.customer.pk,
            "metric": o.metric.pk,
            "day": TODAY_ISH,
            "quantity": 3,
        },
    ),
    Case("billing:payment_list", VIEW),
    Case("billing:commissions", VIEW),
    # Resellers' commission statements: read by staff, prepared and paid out by billing managers.
    Case("billing:commission_statement_list", VIEW),
    Case("billing:commission_statement_detail", VIEW, kwargs=pk_of("commission_statement")),
    _post(
        "billing:commission_statement_action",
        BILLING,
        {"action": "approve"},
        kwargs=pk_of("commission_statement"),
    ),
    _post(
        "billing:commission_statement_prepare",
        BILLING,
        {"month": LAST_MONTH},
        actor_answers=TENANT_WIDE,
    ),
    Case("billing:settings", VIEW, actor_answers=TENANT_WIDE),
    _post(
        "billing:settings",
        BILLING,
        {
            "payment_terms_days": 30,
            "suspend_after_days": 30,
            "tax_rate": "0",
            "invoice_prefix": "M-",
        },
    ),
    Case("billing:seller_profile", VIEW, actor_answers=TENANT_WIDE),
    _post(
        "billing:seller_profile",
        BILLING,
        {"legal_name": "Matrix Ltd", "number_format": "en"},
        actor_answers=TENANT_WIDE,
    ),
    Case("billing:tax_rates", VIEW, actor_answers=TENANT_WIDE),
    _post(
        "billing:tax_rates",
        BILLING,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "VAT",
            "form-0-rate": "20",
            "form-0-country": "",
            "form-0-is_active": "on",
        },
        actor_answers=TENANT_WIDE,
    ),
    # Staged dunning: the tenant's stages and a customer's override.
    Case("billing:dunning", BILLING, actor_answers=TENANT_WIDE),
    _post(
        "billing:dunning",
        BILLING,
        {"reminder_days_before_due": "4", "final_notice_after_days": "20"},
        actor_answers=TENANT_WIDE,
    ),
    Case("billing:customer_dunning", BILLING, kwargs=CUSTOMER),
    _post("billing:customer_dunning", BILLING, {"suspend_after_days": "12"}, kwargs=CUSTOMER),
    Case("billing:customer_billing", VIEW, kwargs=CUSTOMER),
    # Analytics: across the customers a user reaches, and a customer's tab (scoped like its page).
    Case("billing:analytics", VIEW),
    Case("customers:customer_analytics", VIEW, kwargs=CUSTOMER),
    _post(
        "billing:customer_billing",
        BILLING,
        {"payment_method_label": "Visa ending 4242", "commission_rate": "0"},
        kwargs=CUSTOMER,
    ),
]

WEBHOOKS = [
    Case("webhooks:endpoint_list", TENANT_SETTINGS),
    _post(
        "webhooks:endpoint_list",
        TENANT_SETTINGS,
        {"url": "https://hooks.example/hook", "events": ["customer.created"]},
    ),
    Case("webhooks:endpoint_detail", TENANT_SETTINGS, kwargs=lambda o: {"pk": o.webhook.pk}),
    _post(
        "webhooks:endpoint_detail",
        TENANT_SETTINGS,
        {"action": "pause"},
        kwargs=lambda o: {"pk": o.webhook.pk},
    ),
]

# Personal data (owners): look a person up, download and erase; addresses go in POST bodies.
PERSONAL_DATA = [
    Case("core:personal_data", TENANT_SETTINGS),
    _post(
        "core:personal_data",
        TENANT_SETTINGS,
        lambda o: {"email": o.staff_member.email},
        no_effect="a look-up",
    ),
    _post(
        "core:personal_data_export",
        TENANT_SETTINGS,
        lambda o: {"email": o.staff_member.email},
        no_effect="a download",
    ),
    _post(
        "core:personal_data_erase",
        TENANT_SETTINGS,
        lambda o: {
            "email": o.staff_member.email,
            "confirm": o.staff_member.email,
            "reason": "Asked in writing",
        },
    ),
]

# Files uploaded to the tenant (company logos): served to anyone on the tenant's own host
# who has the path (no sign-in: logos go into emails), never on another tenant's host.
MEDIA = [Case("tenant_media", Anyone(), kwargs=lambda o: {"path": o.media_path})]

CONSOLE_CASES = TEAMS + (
    CORE + CUSTOMERS + LOCATIONS + ASSETS + IMPORTS + PROJECTS + BILLING_PAGES + WEBHOOKS + MEDIA
)
CONSOLE_CASES += PERSONAL_DATA


# Contacts (#18): scoped like their customer; roles are the tenant's list (admins edit it).
def _contact(o):
    return {"pk": o.contact.pk}


def _contact_role(o):
    return {"pk": o.contact_role.pk}


CONTACTS = [
    Case("customers:contact_list", VIEW),
    Case("customers:customer_contacts", VIEW, kwargs=CUSTOMER),
    Case("customers:contact_create", EDIT),
    _post(
        "customers:contact_create",
        EDIT,
        lambda o: {"customer": o.customer.pk, "name": "Matrix Contact", "preferred_channel": "any"},
    ),
    Case("customers:contact_detail", VIEW, kwargs=_contact),
    Case("customers:contact_update", EDIT, kwargs=_contact),
    _post(
        "customers:contact_update",
        EDIT,
        {"name": "Renamed Contact", "preferred_channel": "any"},
        kwargs=_contact,
    ),
    Case("customers:contact_archive", EDIT, kwargs=_contact),
    _post("customers:contact_archive", EDIT, kwargs=_contact),
    Case("customers:contact_unarchive", EDIT, kwargs=_contact),
    _post(
        "customers:contact_unarchive",
        EDIT,
        kwargs=_contact,
        no_effect="the contact has not left",
    ),
    Case("customers:contact_invite", MANAGE, kwargs=_contact),
    _post("customers:contact_invite", MANAGE, {"role": "read_only"}, kwargs=_contact),
    Case("customers:contact_roles", VIEW),
    _post("customers:contact_roles", MANAGE, {"name": "Matrix role", "order": 5}),
    Case("customers:contact_role_update", MANAGE, kwargs=_contact_role),
    _post(
        "customers:contact_role_update",
        MANAGE,
        {"name": "Renamed role", "order": 91},
        kwargs=_contact_role,
    ),
    _post("customers:contact_role_archive", MANAGE, kwargs=_contact_role),
    _post(
        "customers:contact_role_unarchive",
        MANAGE,
        kwargs=_contact_role,
        no_effect="the role is not archived",
    ),
    Case("imports:import_upload", IMPORT, variant="contacts", kwargs=lambda o: _upload("contacts")),
    Case(
        "imports:import_template",
        IMPORT,
        variant="contacts",
        kwargs=lambda o: {"kind": "contacts", "fmt": "csv"},
    ),
]
CONSOLE_CASES += CONTACTS


# Documents (#18): scoped like the record they are on; files only through the app.
def _document(o):
    return {"pk": o.document.pk}


def _document_version(o):
    return {"pk": o.document.pk, "vid": o.document.current_id}


def _document_record(kind: str):
    def kwargs(o):
        return {"record_type": kind, "record_id": getattr(o, kind).pk}

    return kwargs


def _document_file(o):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "title": "Matrix document",
        "file": SimpleUploadedFile("matrix.pdf", b"%PDF-1.4\nmatrix\n", "application/pdf"),
    }


DOCUMENTS = [
    Case("customers:customer_documents", VIEW, kwargs=CUSTOMER),
    Case("documents:document_detail", VIEW, kwargs=_document),
    Case("documents:version_download", VIEW, kwargs=_document_version),
    Case("documents:document_update", EDIT, kwargs=_document),
    _post("documents:document_update", EDIT, {"title": "Renamed document"}, kwargs=_document),
    Case("documents:document_version_add", EDIT, kwargs=_document),
    _post("documents:document_version_add", EDIT, _document_file, kwargs=_document),
    Case("documents:document_share", EDIT, kwargs=_document),
    _post("documents:document_share", EDIT, kwargs=_document, no_effect="it is shared already"),
    Case("documents:document_unshare", EDIT, kwargs=_document),
    _post("documents:document_unshare", EDIT, kwargs=_document),
    Case("documents:document_archive", MANAGE, kwargs=_document),
    _post("documents:document_archive", MANAGE, kwargs=_document),
    Case("documents:document_restore", MANAGE, kwargs=_document),
    _post("documents:document_restore", MANAGE, kwargs=_document, no_effect="it is not archived"),
]
for _kind in ("customer", "location", "asset"):
    DOCUMENTS += [
        Case("documents:document_upload", EDIT, variant=_kind, kwargs=_document_record(_kind)),
        _post(
            "documents:document_upload",
            EDIT,
            _document_file,
            variant=_kind,
            kwargs=_document_record(_kind),
        ),
    ]
CONSOLE_CASES += DOCUMENTS


# The activity timeline (#18): scoped like the record an entry is on. The world's entries are
# tasks nobody wrote: anyone who may edit records edits or ticks them; deleting one is its
# author's or an admin's (MANAGE here).
def _entry(o):
    return {"pk": o.activity_task.pk}


def _activity_record(kind: str):
    def kwargs(o):
        return {"record_type": kind, "record_id": getattr(o, kind).pk, "kind": "note"}

    return kwargs


def _task_edit(o):
    return {"title": "Matrix task", "assignee": o.staff_member.pk, "due_date": "2026-04-01"}


ACTIVITY = [
    Case("customers:customer_activity", VIEW, kwargs=CUSTOMER),
    Case("activity:my_tasks", VIEW),
    Case("activity:entry_update", EDIT, kwargs=_entry),
    _post("activity:entry_update", EDIT, _task_edit, kwargs=_entry),
    Case("activity:entry_delete", MANAGE, kwargs=_entry),
    _post("activity:entry_delete", MANAGE, kwargs=_entry),
    _post("activity:task_complete", EDIT, kwargs=_entry),
    _post("activity:task_reopen", EDIT, kwargs=_entry, no_effect="it is not done"),
    _post("activity:entry_share", EDIT, kwargs=_entry, no_effect="it is shared already"),
    _post("activity:entry_unshare", EDIT, kwargs=_entry),
]
for _kind in ("customer", "location", "asset"):
    ACTIVITY += [
        Case("activity:entry_add", EDIT, variant=_kind, kwargs=_activity_record(_kind)),
        _post(
            "activity:entry_add",
            EDIT,
            {"body": "Matrix note"},
            variant=_kind,
            kwargs=_activity_record(_kind),
        ),
    ]
CONSOLE_CASES += ACTIVITY


# The service desk (#19): a ticket is scoped like its company; working it needs EDIT.
def _ticket(o):
    return {"pk": o.ticket.pk}


def _sla(o):
    return {"pk": o.sla_policy.pk}


def _sla_form(name: str) -> dict:
    return {
        "name": name,
        "first_response_normal": "2",
        "business_start": "09:00",
        "business_end": "17:00",
        "business_days": ["0", "1", "2", "3", "4"],
        "timezone": "UTC",
    }


def _rating_link(o):
    return {"pk": o.ticket.pk, "token": o.ticket.reply_token}


TICKETS = [
    Case("tickets:ticket_list", VIEW),
    Case("customers:customer_tickets", VIEW, kwargs=CUSTOMER),
    Case("tickets:ticket_create", EDIT),
    _post(
        "tickets:ticket_create",
        EDIT,
        lambda o: {
            "customer": o.customer.pk,
            "subject": "Matrix ticket",
            "description": "Opened by the matrix",
            "category": "question",
            "priority": "normal",
        },
    ),
    Case("tickets:ticket_detail", VIEW, kwargs=_ticket),
    _post(
        "tickets:ticket_reply", EDIT, {"body": "Matrix reply", "status": "waiting"}, kwargs=_ticket
    ),
    _post(
        "tickets:ticket_update",
        EDIT,
        {"priority": "low", "category": "billing", "assignee": ""},
        kwargs=_ticket,
    ),
    _post("tickets:ticket_status", EDIT, {"status": "resolved"}, kwargs=_ticket),
    _post(
        "tickets:ticket_merge",
        EDIT,
        lambda o: {"into": o.ticket.pk},
        kwargs=_ticket,
        ok=(400,),
        no_effect="the world has one ticket per company: merging it into itself is refused",
    ),
    Case(
        "tickets:attachment_download",
        VIEW,
        kwargs=lambda o: {"pk": o.ticket.pk, "aid": o.ticket_file.pk},
    ),
    Case(
        "tickets:inbound_raw", VIEW, kwargs=lambda o: {"pk": o.ticket.pk, "eid": o.ticket_email.pk}
    ),
    # Service levels: staff read them, admins write them (and a company's own policy).
    Case("tickets:sla_policies", VIEW),
    Case("tickets:report", VIEW),
    Case("tickets:sla_policy_create", MANAGE),
    _post("tickets:sla_policy_create", MANAGE, _sla_form("Matrix SLA")),
    Case("tickets:sla_policy_update", MANAGE, kwargs=_sla),
    _post("tickets:sla_policy_update", MANAGE, _sla_form("Renamed SLA"), kwargs=_sla),
    _post("tickets:customer_sla", MANAGE, lambda o: {"policy": o.sla_policy.pk}, kwargs=CUSTOMER),
    # The rating link of a resolved ticket's email: its secret is the ticket's reply token.
    # The world's tickets are open, so a rating is refused (400) and changes nothing.
    Case("tickets:rate", Anyone(), kwargs=_rating_link),
    _post(
        "tickets:rate",
        Anyone(),
        {"score": "good"},
        kwargs=_rating_link,
        ok=(400,),
        no_effect="the world's ticket is open: a rating waits for its resolution",
    ),
    # Triage: mail from unknown senders belongs to no company yet, so it is for staff who see
    # every customer.
    Case("tickets:triage", EDIT, actor_answers=TENANT_WIDE),
    _post(
        "tickets:triage_action",
        EDIT,
        kwargs=lambda o: {"pk": o.triage_email.pk, "action": "discard"},
        variant="discard",
        actor_answers=TENANT_WIDE,
    ),
    _post(
        "tickets:triage_action",
        EDIT,
        lambda o: {f"email-{o.triage_email.pk}-customer": o.customer.pk},
        kwargs=lambda o: {"pk": o.triage_email.pk, "action": "open"},
        variant="open",
        actor_answers=TENANT_WIDE,
    ),
]
CONSOLE_CASES += TICKETS


# Time on tickets and contracts (#19): scoped like their company; terminating needs MANAGE.
def _contract(o):
    return {"pk": o.contract.pk}


def _contract_form(o) -> dict:
    return {
        "customer": o.customer.pk,
        "name": "Matrix contract",
        "kind": "retainer",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "renewal_months": "12",
        "notice_days": "30",
        "reminder_days": "30",
        "value": "1000",
        "billing_frequency": "monthly",
    }


def _signed_copy(o):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("signed.pdf", b"%PDF-1.4\nsigned\n", "application/pdf")}


CONTRACTS = [
    _post(
        "tickets:ticket_log_time",
        EDIT,
        {"spent": "1h30", "work_date": "2026-03-02", "note": "Matrix"},
        kwargs=_ticket,
    ),
    _post(
        "tickets:time_entry_delete",
        MANAGE,
        kwargs=lambda o: {"pk": o.ticket.pk, "eid": o.time_entry.pk},
        # Staff (EDIT) may remove their own entries only: the world's entry is nobody's, so
        # only managers may remove it, and staff are refused (403).
    ),
    Case("contracts:contract_list", VIEW),
    Case("customers:customer_contracts", VIEW, kwargs=CUSTOMER),
    Case("contracts:contract_create", EDIT),
    _post("contracts:contract_create", EDIT, _contract_form),
    Case("contracts:contract_detail", VIEW, kwargs=_contract),
    Case("contracts:contract_update", EDIT, kwargs=_contract),
    _post("contracts:contract_update", EDIT, _contract_form, kwargs=_contract),
    Case("contracts:contract_renew", EDIT, kwargs=_contract),
    _post("contracts:contract_renew", EDIT, kwargs=_contract),
    _post(
        "contracts:contract_terminate",
        MANAGE,
        {"reason": "Matrix termination"},
        kwargs=_contract,
    ),
    _post("contracts:contract_signed", EDIT, _signed_copy, kwargs=_contract),
]
CONSOLE_CASES += CONTRACTS

# Where support mail comes from (an IMAP account's credentials): the owner's setting.
MAIL_IN = [
    Case("tickets:mail_in", TENANT_SETTINGS),
    _post(
        "tickets:mail_in",
        TENANT_SETTINGS,
        {"imap_port": "993", "imap_security": "ssl", "imap_folder": "Support"},
    ),
    _post(
        "tickets:mail_in_test",
        TENANT_SETTINGS,
        no_effect="no mailbox is set up: the test says so and changes nothing",
    ),
]
CONSOLE_CASES += MAIL_IN


# Every console list's tools (core/views_lists.py): columns and saved views are the asker's
# own, on any list their role opens; a bulk change goes row by row through the scope.
CUSTOMER_LIST = {"list_key": "customers.customer"}
NO_SUCH_ID = 8_999_999
STAFF_KEYS = ("owner", "admin", "staff", "viewer", "limited_staff", "other_tenant_owner")
NOBODY_S = dict.fromkeys(STAFF_KEYS, NOT_FOUND)

LISTS = [
    _post("lists:columns", VIEW, {"columns": ["name", "status"]}, kwargs=lambda o: CUSTOMER_LIST),
    _post(
        "lists:view_save",
        VIEW,
        {"name": "Matrix view", "query": "status=prospect", "shared": "1"},
        kwargs=lambda o: CUSTOMER_LIST,
    ),
    # The world holds no saved view: an id that is nobody's is not found, for everyone; saving
    # one above is the positive control.
    _post(
        "lists:view_delete",
        VIEW,
        kwargs=lambda o: {"pk": NO_SUCH_ID},
        negative="no saved view has this id; saving a view is the positive control",
        actor_answers=NOBODY_S,
    ),
    _post(
        "lists:view_default",
        VIEW,
        kwargs=lambda o: {"pk": NO_SUCH_ID},
        negative="no saved view has this id; saving a view is the positive control",
        actor_answers=NOBODY_S,
    ),
    _post(
        "lists:bulk",
        EDIT,
        lambda o: {"action": "status", "value": "former", "ids": [o.customer.pk]},
        kwargs=lambda o: CUSTOMER_LIST,
    ),
    # Only ids out of reach: refused, nothing written (not even the job).
    _post(
        "lists:bulk",
        EDIT,
        {"action": "status", "value": "former", "ids": [NO_SUCH_ID]},
        kwargs=lambda o: CUSTOMER_LIST,
        variant="ids out of reach",
        negative="a refusal by design; the bulk change of a reachable row is the positive control",
        actor_answers=dict.fromkeys(set(STAFF_KEYS) - {"viewer"}, REFUSED),
    ),
    # A bulk change's page is its actor's alone (tests/core/test_list_bulk.py opens one).
    Case(
        "lists:bulk_job",
        VIEW,
        kwargs=lambda o: {"pk": NO_SUCH_ID},
        negative="no bulk change has this id; its actor's own page is tested in tests/core",
        actor_answers=NOBODY_S,
    ),
    # A big export (core.exports): anyone who sees the list may queue one; the job runs as
    # its actor, through the list's scope (tests/core/test_exports.py).
    _post(
        "lists:export",
        VIEW,
        {"query": "status=prospect", "format": "csv"},
        kwargs=lambda o: CUSTOMER_LIST,
    ),
    *(
        Case(
            name,
            VIEW,
            kwargs=lambda o: {"pk": NO_SUCH_ID},
            negative="no export has this id; its actor's own page is tested in tests/core",
            actor_answers=NOBODY_S,
        )
        for name in ("lists:export_job", "lists:export_download")
    ),
]
CONSOLE_CASES += LISTS

# The user's own notifications (core.notifications): every console user has a list; one that
# is not theirs is not found (tests/core/test_notifications.py opens their own).
NOTIFICATIONS = [
    Case("notifications:list", VIEW),
    Case("notifications:bell", VIEW),
    _post(
        "notifications:read_all",
        VIEW,
        no_effect="the world holds no notification to mark read; tests/core marks some",
    ),
    Case(
        "notifications:open",
        VIEW,
        kwargs=lambda o: {"pk": NO_SUCH_ID},
        negative="no notification has this id; opening one's own is tested in tests/core",
        actor_answers=NOBODY_S,
    ),
]
CONSOLE_CASES += NOTIFICATIONS


# Custom fields and tags (#18): the tenant's definitions; staff look, admins change them.
def _custom_field(o):
    return {"pk": o.custom_field.pk}


def _tag(o):
    return {"pk": o.tag.pk}


FIELDS = [
    Case("fields:field_list", VIEW),
    Case("fields:field_create", MANAGE),
    _post(
        "fields:field_create",
        MANAGE,
        {
            "object_kind": "asset",
            "label": "Matrix",
            "key": "matrix",
            "field_type": "text",
            "order": 5,
        },
    ),
    Case("fields:field_update", MANAGE, kwargs=_custom_field),
    _post(
        "fields:field_update",
        MANAGE,
        {"label": "Renamed field", "order": 7},
        kwargs=_custom_field,
    ),
    _post("fields:field_move", MANAGE, {"direction": "down"}, kwargs=_custom_field),
    Case("fields:field_delete", MANAGE, kwargs=_custom_field),
    _post("fields:field_delete", MANAGE, kwargs=_custom_field),
    Case("fields:tag_list", VIEW),
    _post("fields:tag_list", MANAGE, {"name": "Matrix tag", "colour": "green"}),
    Case("fields:tag_update", MANAGE, kwargs=_tag),
    _post("fields:tag_update", MANAGE, {"name": "Renamed tag", "colour": "red"}, kwargs=_tag),
    Case("fields:tag_delete", MANAGE, kwargs=_tag),
    _post("fields:tag_delete", MANAGE, kwargs=_tag),
    # The full-record export: every record of the kind the importer can see.
    Case(
        "imports:full_export", IMPORT, variant="customers", kwargs=lambda o: {"kind": "customers"}
    ),
    Case("imports:full_export", IMPORT, variant="assets", kwargs=lambda o: {"kind": "assets"}),
    Case(
        "imports:full_export", IMPORT, variant="contracts", kwargs=lambda o: {"kind": "contracts"}
    ),
]
CONSOLE_CASES += FIELDS
