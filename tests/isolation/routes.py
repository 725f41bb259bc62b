"""Every console route, with the capability it needs. New routes are added here, and the matrix
in test_matrix.py checks each one for anonymous users, every role and other tenants."""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.policies import Capability


@dataclass(frozen=True)
class Route:
    name: str
    capability: Capability
    method: str = "get"
    data: dict = field(default_factory=dict)
    # Builds URL kwargs from a dict of objects created in the tenant under test.
    kwargs: Callable[[dict], dict] | None = None
    # False when the kwargs name no record (e.g. /imports/<kind>/): not a cross-tenant 404.
    tenant_object: bool = True

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


def CUSTOMER(objects: dict) -> dict:
    return {"pk": objects["customer"].pk}


def DELETED_CUSTOMER(objects: dict) -> dict:
    return {"pk": objects["deleted_customer"].pk}


def LOCATION(objects: dict) -> dict:
    return {"pk": objects["location"].pk}


def ASSET(objects: dict) -> dict:
    return {"pk": objects["asset"].pk}


def PROJECT(objects: dict) -> dict:
    return {"pk": objects["project"].pk}


def INVOICE(objects: dict) -> dict:
    return {"pk": objects["invoice"].pk}


def DRAFT(objects: dict) -> dict:
    return {"pk": objects["draft"].pk}


def SUBSCRIPTION(objects: dict) -> dict:
    return {"pk": objects["subscription"].pk}


def IMPORT_JOB(objects: dict) -> dict:
    """Another user's import: its page is for admins and owners (staff get 403)."""
    return {"pk": objects["import_job"].pk}


CONSOLE_ROUTES = [
    Route("core:dashboard", Capability.VIEW_CONSOLE),
    Route("core:settings", Capability.VIEW_CONSOLE),
    Route(
        "core:settings",
        Capability.MANAGE_TENANT,
        method="post",
        data={
            "name": "Renamed",
            "currency": "EUR",
            "timezone": "Europe/Paris",
            "soft_delete_grace_days": 14,
        },
    ),
    Route("core:team", Capability.VIEW_CONSOLE),
    Route("core:staff_invite", Capability.MANAGE_TENANT),
    Route(
        "core:staff_invite",
        Capability.MANAGE_TENANT,
        method="post",
        data={
            "first_name": "Ivy",
            "last_name": "Invitee",
            "email": "ivy@alpha.example",
            "role": "viewer",
        },
    ),
    Route("core:staff_update", Capability.MANAGE_TENANT, kwargs=lambda o: {"pk": o["member"].pk}),
    Route(
        "core:staff_resend_welcome",
        Capability.MANAGE_TENANT,
        method="post",
        kwargs=lambda o: {"pk": o["member"].pk},
    ),
    Route("tenant_admin:index", Capability.USE_TENANT_ADMIN),
    # Customers
    Route("customers:customer_list", Capability.VIEW_CONSOLE),
    Route("customers:customer_create", Capability.EDIT_RECORDS),
    Route("customers:customer_quick_add", Capability.EDIT_RECORDS),
    Route(
        "customers:customer_quick_add",
        Capability.EDIT_RECORDS,
        method="post",
        data={"name": "Matrix Co"},
    ),
    Route("customers:customer_autocomplete", Capability.VIEW_CONSOLE),
    Route("customers:customer_detail", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route("customers:customer_update", Capability.EDIT_RECORDS, kwargs=CUSTOMER),
    Route("customers:customer_subaccounts", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route("customers:customer_linked", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route(
        "customers:customer_linked",
        Capability.EDIT_RECORDS,
        method="post",
        kwargs=CUSTOMER,
        data={"provider": "AWS", "kind": "account", "external_id": "1234"},
    ),
    Route(
        "customers:linked_account_unlink",
        Capability.EDIT_RECORDS,
        method="post",
        kwargs=lambda o: {"pk": o["customer"].pk, "account_pk": o["linked_account"].pk},
    ),
    Route("customers:customer_history", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route(
        "customers:customer_restore_fields",
        Capability.MANAGE_RECORDS,
        kwargs=lambda o: {"pk": o["customer"].pk, "history_id": o["history"].history_id},
    ),
    Route("customers:customer_archive", Capability.MANAGE_RECORDS, kwargs=CUSTOMER),
    Route("customers:customer_archive", Capability.MANAGE_RECORDS, method="post", kwargs=CUSTOMER),
    Route(
        "customers:customer_unarchive", Capability.MANAGE_RECORDS, method="post", kwargs=CUSTOMER
    ),
    Route("customers:customer_delete", Capability.MANAGE_RECORDS, kwargs=CUSTOMER),
    Route("customers:customer_delete", Capability.MANAGE_RECORDS, method="post", kwargs=CUSTOMER),
    Route(
        "customers:customer_restore",
        Capability.MANAGE_RECORDS,
        method="post",
        kwargs=DELETED_CUSTOMER,
    ),
    Route("customers:customer_purge", Capability.MANAGE_RECORDS, kwargs=DELETED_CUSTOMER),
    Route(
        "customers:customer_purge",
        Capability.MANAGE_RECORDS,
        method="post",
        kwargs=DELETED_CUSTOMER,
    ),
    Route("customers:customer_projects", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route("customers:customer_locations", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route("customers:customer_assets_on_location", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route("customers:customer_assets_owned", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    # Locations
    Route("locations:location_list", Capability.VIEW_CONSOLE),
    Route("locations:location_autocomplete", Capability.VIEW_CONSOLE),
    Route("locations:location_create", Capability.EDIT_RECORDS),
    Route("locations:location_detail", Capability.VIEW_CONSOLE, kwargs=LOCATION),
    Route("locations:location_update", Capability.EDIT_RECORDS, kwargs=LOCATION),
    Route(
        "locations:location_update",
        Capability.EDIT_RECORDS,
        method="post",
        kwargs=LOCATION,
        data={"name": "Renamed", "location_type": "office", "status": "active"},
    ),
    Route("locations:location_move", Capability.MANAGE_RECORDS, kwargs=LOCATION),
    Route("locations:location_archive", Capability.MANAGE_RECORDS, method="post", kwargs=LOCATION),
    Route(
        "locations:location_unarchive", Capability.MANAGE_RECORDS, method="post", kwargs=LOCATION
    ),
    # Assets
    Route("assets:asset_list", Capability.VIEW_CONSOLE),
    Route("assets:asset_create", Capability.EDIT_RECORDS),
    Route("assets:asset_detail", Capability.VIEW_CONSOLE, kwargs=ASSET),
    Route("assets:asset_update", Capability.EDIT_RECORDS, kwargs=ASSET),
    Route(
        "assets:asset_update",
        Capability.EDIT_RECORDS,
        method="post",
        kwargs=ASSET,
        data={"name": "Renamed", "category": "other", "status": "deployed"},
    ),
    Route("assets:asset_archive", Capability.MANAGE_RECORDS, method="post", kwargs=ASSET),
    Route("assets:asset_unarchive", Capability.MANAGE_RECORDS, method="post", kwargs=ASSET),
    Route(
        "assets:asset_bulk",
        Capability.EDIT_RECORDS,
        method="post",
        data={"action": "status", "status": "lost"},
    ),
    # Imports
    Route(
        "imports:import_upload",
        Capability.IMPORT_RECORDS,
        kwargs=lambda o: {"kind": "customers"},
        tenant_object=False,
    ),
    Route(
        "imports:import_upload",
        Capability.IMPORT_RECORDS,
        kwargs=lambda o: {"kind": "assets"},
        tenant_object=False,
    ),
    Route(
        "imports:import_upload",
        Capability.IMPORT_RECORDS,
        method="post",
        kwargs=lambda o: {"kind": "locations"},
        tenant_object=False,
    ),
    Route(
        "imports:import_template",
        Capability.IMPORT_RECORDS,
        kwargs=lambda o: {"kind": "customers", "fmt": "xlsx"},
        tenant_object=False,
    ),
    # Usage imports need billing rights on top (admins and owners).
    Route(
        "imports:import_upload",
        Capability.MANAGE_BILLING,
        kwargs=lambda o: {"kind": "usage"},
        tenant_object=False,
    ),
    Route(
        "imports:import_upload",
        Capability.MANAGE_BILLING,
        method="post",
        kwargs=lambda o: {"kind": "usage"},
        tenant_object=False,
    ),
    Route(
        "imports:import_template",
        Capability.MANAGE_BILLING,
        kwargs=lambda o: {"kind": "usage", "fmt": "csv"},
        tenant_object=False,
    ),
    Route("imports:import_job", Capability.MANAGE_RECORDS, kwargs=IMPORT_JOB),
    Route("imports:import_job_status", Capability.MANAGE_RECORDS, kwargs=IMPORT_JOB),
    Route(
        "imports:import_job_confirm", Capability.MANAGE_RECORDS, method="post", kwargs=IMPORT_JOB
    ),
    # Projects
    Route("billing:project_list", Capability.VIEW_CONSOLE),
    Route("billing:project_create", Capability.EDIT_RECORDS),
    Route("billing:project_detail", Capability.VIEW_CONSOLE, kwargs=PROJECT),
    Route("billing:project_update", Capability.EDIT_RECORDS, kwargs=PROJECT),
    # Billing
    Route("billing:invoice_list", Capability.VIEW_CONSOLE),
    Route("billing:invoice_detail", Capability.VIEW_CONSOLE, kwargs=INVOICE),
    Route("billing:invoice_pdf", Capability.VIEW_CONSOLE, kwargs=INVOICE),
    Route("billing:invoice_receipt", Capability.VIEW_CONSOLE, kwargs=INVOICE),
    Route(
        "billing:invoice_payment",
        Capability.MANAGE_BILLING,
        method="post",
        data={"amount": "1.00", "method": "cheque", "paid_on": "2026-02-10", "reference": ""},
        kwargs=INVOICE,
    ),
    Route("billing:invoice_issue", Capability.MANAGE_BILLING, kwargs=DRAFT),
    Route("billing:invoice_issue", Capability.MANAGE_BILLING, method="post", kwargs=DRAFT),
    Route("billing:invoice_delete", Capability.MANAGE_BILLING, kwargs=DRAFT),
    Route("billing:invoice_void", Capability.MANAGE_BILLING, kwargs=INVOICE),
    Route(
        "billing:invoice_void",
        Capability.MANAGE_BILLING,
        method="post",
        data={"reason": "Matrix"},
        kwargs=INVOICE,
    ),
    Route("billing:invoice_runs", Capability.VIEW_CONSOLE),
    Route(
        "billing:invoice_runs",
        Capability.MANAGE_BILLING,
        method="post",
        data={"month": "2026-01", "issue": ""},
    ),
    Route("billing:subscription_list", Capability.VIEW_CONSOLE),
    Route("billing:subscription_create", Capability.MANAGE_BILLING),
    Route("billing:subscription_detail", Capability.VIEW_CONSOLE, kwargs=SUBSCRIPTION),
    Route("billing:subscription_change", Capability.MANAGE_BILLING, kwargs=SUBSCRIPTION),
    Route("billing:subscription_cancel", Capability.MANAGE_BILLING, kwargs=SUBSCRIPTION),
    Route(
        "billing:subscription_cancel",
        Capability.MANAGE_BILLING,
        method="post",
        data={"on": "2026-02-01"},
        kwargs=SUBSCRIPTION,
    ),
    Route("billing:plan_list", Capability.VIEW_CONSOLE),
    Route("billing:plan_create", Capability.MANAGE_BILLING),
    Route("billing:plan_update", Capability.MANAGE_BILLING, kwargs=lambda o: {"pk": o["plan"].pk}),
    Route("billing:usagerecord_list", Capability.VIEW_CONSOLE),
    Route("billing:usagerecord_create", Capability.EDIT_RECORDS),
    Route("billing:payment_list", Capability.VIEW_CONSOLE),
    Route("billing:commissions", Capability.VIEW_CONSOLE),
    Route("billing:settings", Capability.VIEW_CONSOLE),
    Route(
        "billing:settings",
        Capability.MANAGE_BILLING,
        method="post",
        data={"payment_terms_days": 30, "suspend_after_days": 30, "tax_rate": "0"},
    ),
    Route("billing:customer_billing", Capability.VIEW_CONSOLE, kwargs=CUSTOMER),
    Route(
        "billing:customer_billing",
        Capability.MANAGE_BILLING,
        method="post",
        data={"payment_method_label": "Visa ending 4242", "commission_rate": "0"},
        kwargs=CUSTOMER,
    ),
    # API tokens and webhooks
    Route("core:api_tokens", Capability.VIEW_CONSOLE),
    Route("webhooks:endpoint_list", Capability.MANAGE_TENANT),
    Route(
        "webhooks:endpoint_list",
        Capability.MANAGE_TENANT,
        method="post",
        data={"url": "http://127.0.0.1:9/hook", "events": ["customer.created"]},
    ),
    Route(
        "webhooks:endpoint_detail",
        Capability.MANAGE_TENANT,
        kwargs=lambda o: {"pk": o["webhook"].pk},
    ),
    Route(
        "webhooks:endpoint_detail",
        Capability.MANAGE_TENANT,
        method="post",
        data={"action": "pause"},
        kwargs=lambda o: {"pk": o["webhook"].pk},
    ),
    Route("account_change_password", Capability.VIEW_CONSOLE),
    Route("account_email", Capability.VIEW_CONSOLE),
    Route("mfa_index", Capability.VIEW_CONSOLE),
]


@dataclass(frozen=True)
class PortalRoute:
    """A portal route, the portal permission it needs, and URL kwargs from the objects of
    one company (``cid`` is always that company)."""

    name: str
    permission: str
    method: str = "get"
    data: dict = field(default_factory=dict)
    kwargs: Callable[[dict], dict] | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


PORTAL_ROUTES = [
    PortalRoute("portal:overview", "view_overview"),
    PortalRoute("portal:users", "view_users"),
    PortalRoute("portal:user_invite", "manage_users"),
    PortalRoute(
        "portal:user_invite",
        "manage_users",
        method="post",
        data={
            "first_name": "M",
            "last_name": "X",
            "email": "matrix@acme.example",
            "role": "read_only",
        },
    ),
    PortalRoute("portal:user_detail", "view_users", kwargs=lambda o: {"mid": o["member"].pk}),
    PortalRoute(
        "portal:user_detail",
        "manage_users",
        method="post",
        data={"action": "deactivate"},
        kwargs=lambda o: {"mid": o["member"].pk},
    ),
    PortalRoute("portal:permission_sets", "manage_users"),
    PortalRoute("portal:permission_set_create", "manage_users"),
    PortalRoute(
        "portal:permission_set_update",
        "manage_users",
        kwargs=lambda o: {"sid": o["permission_set"].pk},
    ),
    PortalRoute(
        "portal:join_decision",
        "manage_users",
        method="post",
        kwargs=lambda o: {"rid": o["join_request"].pk, "decision": "decline"},
    ),
    PortalRoute("portal:locations", "view_locations"),
    PortalRoute(
        "portal:location_edit", "manage_locations", kwargs=lambda o: {"lid": o["location"].pk}
    ),
    PortalRoute(
        "portal:location_edit",
        "manage_locations",
        method="post",
        data={"name": "Renamed by matrix"},
        kwargs=lambda o: {"lid": o["location"].pk},
    ),
    PortalRoute("portal:assets", "view_assets"),
    PortalRoute("portal:billing", "view_billing"),
    PortalRoute("portal:invoice_pdf", "view_billing", kwargs=lambda o: {"iid": o["invoice"].pk}),
    PortalRoute(
        "portal:invoice_receipt", "view_billing", kwargs=lambda o: {"iid": o["invoice"].pk}
    ),
    PortalRoute("portal:settings", "manage_settings"),
    PortalRoute(
        "portal:settings",
        "manage_settings",
        method="post",
        data={"profile-accent_colour": "#000000"},
    ),
    # Every customer user's own tokens ("" = no portal permission needed).
    PortalRoute("portal:api_tokens", ""),
    PortalRoute("portal:api_tokens", "", method="post", data={"name": "Matrix"}),
]


# --- The REST API -------------------------------------------------------------------------


@dataclass(frozen=True)
class ApiRoute:
    """An API route: ``path`` builds the URL from the objects of the tenant (or, for portal
    routes, of one company: ``cid`` is always that company); ``need`` is the console
    capability or the portal permission it takes; updates send the record's current ETag."""

    label: str
    path: Callable[[dict], str]
    need: str
    method: str = "get"
    data: dict | list | Callable[[dict], dict] | None = None
    etag_of: str = ""  # the key of the object whose ETag goes into If-Match

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.label}"


V1 = "/api/v1"
CONSOLE_API_ROUTES = [
    ApiRoute("customers", lambda o: f"{V1}/customers/", Capability.VIEW_CONSOLE),
    ApiRoute(
        "customers",
        lambda o: f"{V1}/customers/",
        Capability.EDIT_RECORDS,
        method="post",
        data={"name": "Matrix API Co"},
    ),
    ApiRoute(
        "customers/bulk",
        lambda o: f"{V1}/customers/bulk/",
        Capability.EDIT_RECORDS,
        method="post",
        data=[{"name": "Matrix Bulk Co"}],
    ),
    ApiRoute("customer", lambda o: f"{V1}/customers/{o['customer'].pk}/", Capability.VIEW_CONSOLE),
    ApiRoute(
        "customer",
        lambda o: f"{V1}/customers/{o['customer'].pk}/",
        Capability.EDIT_RECORDS,
        method="patch",
        data={"industry": "Retail"},
        etag_of="customer",
    ),
    ApiRoute(
        "customer",
        lambda o: f"{V1}/customers/{o['customer'].pk}/",
        Capability.MANAGE_RECORDS,
        method="delete",
    ),
    ApiRoute("linked-accounts", lambda o: f"{V1}/linked-accounts/", Capability.VIEW_CONSOLE),
    ApiRoute(
        "linked-account",
        lambda o: f"{V1}/linked-accounts/{o['linked_account'].pk}/",
        Capability.VIEW_CONSOLE,
    ),
    ApiRoute("locations", lambda o: f"{V1}/locations/", Capability.VIEW_CONSOLE),
    ApiRoute("location", lambda o: f"{V1}/locations/{o['location'].pk}/", Capability.VIEW_CONSOLE),
    ApiRoute(
        "location",
        lambda o: f"{V1}/locations/{o['location'].pk}/",
        Capability.EDIT_RECORDS,
        method="patch",
        data={"name": "Renamed by API"},
        etag_of="location",
    ),
    ApiRoute("assets", lambda o: f"{V1}/assets/", Capability.VIEW_CONSOLE),
    ApiRoute("asset", lambda o: f"{V1}/assets/{o['asset'].pk}/", Capability.VIEW_CONSOLE),
    ApiRoute("projects", lambda o: f"{V1}/projects/", Capability.VIEW_CONSOLE),
    ApiRoute("project", lambda o: f"{V1}/projects/{o['project'].pk}/", Capability.VIEW_CONSOLE),
    ApiRoute("portal-users", lambda o: f"{V1}/portal-users/", Capability.VIEW_CONSOLE),
    ApiRoute(
        "portal-users",
        lambda o: f"{V1}/portal-users/",
        Capability.MANAGE_RECORDS,
        method="post",
        data=lambda o: {
            "customer": o["customer"].pk,
            "email": "api@matrix.example",
            "first_name": "A",
            "last_name": "P",
            "role": "full",
        },
    ),
    ApiRoute(
        "portal-user",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/",
        Capability.VIEW_CONSOLE,
    ),
    ApiRoute(
        "portal-user/role",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/role/",
        Capability.MANAGE_RECORDS,
        method="post",
        data={"role": "full"},
    ),
    ApiRoute(
        "portal-user/deactivate",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/deactivate/",
        Capability.MANAGE_RECORDS,
        method="post",
    ),
    ApiRoute(
        "portal-user/reactivate",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/reactivate/",
        Capability.MANAGE_RECORDS,
        method="post",
    ),
    ApiRoute(
        "portal-user/resend-invitation",
        lambda o: f"{V1}/portal-users/{o['portal_invitee'].pk}/resend-invitation/",
        Capability.MANAGE_RECORDS,
        method="post",
    ),
    ApiRoute(
        "portal-user/password-reset",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/password-reset/",
        Capability.MANAGE_RECORDS,
        method="post",
    ),
    ApiRoute(
        "portal-user/unlock",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/unlock/",
        Capability.MANAGE_RECORDS,
        method="post",
    ),
    ApiRoute(
        "portal-user",
        lambda o: f"{V1}/portal-users/{o['portal_member'].pk}/",
        Capability.MANAGE_RECORDS,
        method="delete",
    ),
]


def _company(o: dict) -> str:
    return f"{V1}/portal/companies/{o['company'].pk}"


PORTAL_API_ROUTES = [
    ApiRoute("users", lambda o: f"{_company(o)}/users/", "view_users"),
    ApiRoute(
        "users",
        lambda o: f"{_company(o)}/users/",
        "manage_users",
        method="post",
        data={"email": "api@acme.example", "first_name": "A", "last_name": "P", "role": "full"},
    ),
    ApiRoute("user", lambda o: f"{_company(o)}/users/{o['member'].pk}/", "view_users"),
    ApiRoute(
        "user/role",
        lambda o: f"{_company(o)}/users/{o['member'].pk}/role/",
        "manage_users",
        method="post",
        data={"role": "full"},
    ),
    ApiRoute(
        "user/deactivate",
        lambda o: f"{_company(o)}/users/{o['member'].pk}/deactivate/",
        "manage_users",
        method="post",
    ),
    ApiRoute(
        "user/reactivate",
        lambda o: f"{_company(o)}/users/{o['member'].pk}/reactivate/",
        "manage_users",
        method="post",
    ),
    ApiRoute(
        "user/password-reset",
        lambda o: f"{_company(o)}/users/{o['member'].pk}/password-reset/",
        "manage_users",
        method="post",
    ),
    ApiRoute(
        "user",
        lambda o: f"{_company(o)}/users/{o['member'].pk}/",
        "manage_users",
        method="delete",
    ),
    ApiRoute("join-requests", lambda o: f"{_company(o)}/join-requests/", "manage_users"),
    ApiRoute(
        "join-request",
        lambda o: f"{_company(o)}/join-requests/{o['join_request'].pk}/",
        "manage_users",
    ),
    ApiRoute(
        "join-request/approve",
        lambda o: f"{_company(o)}/join-requests/{o['join_request'].pk}/approve/",
        "manage_users",
        method="post",
    ),
    ApiRoute(
        "join-request/decline",
        lambda o: f"{_company(o)}/join-requests/{o['join_request'].pk}/decline/",
        "manage_users",
        method="post",
    ),
    ApiRoute("locations", lambda o: f"{_company(o)}/locations/", "view_locations"),
    ApiRoute(
        "location", lambda o: f"{_company(o)}/locations/{o['location'].pk}/", "view_locations"
    ),
    ApiRoute(
        "location",
        lambda o: f"{_company(o)}/locations/{o['location'].pk}/",
        "manage_locations",
        method="patch",
        data={"name": "Renamed by API"},
        etag_of="location",
    ),
    ApiRoute("assets", lambda o: f"{_company(o)}/assets/", "view_assets"),
    ApiRoute("asset", lambda o: f"{_company(o)}/assets/{o['asset'].pk}/", "view_assets"),
]
