"""The company portal's pages: every route, the portal permission it needs and what a write
sends. ``o.company`` is the company in the URL (``cid``); the other records are the target's
(with target "mixed" they belong to another company than ``cid``)."""

from .spec import Anyone, Case, Portal


def _company(o) -> dict:
    return {"cid": o.company.pk}


def _with(name: str, key: str):
    """The company and one of the target's records: ``{"cid": …, key: o.<name>.pk}``."""
    return lambda o: {"cid": o.company.pk, key: getattr(o, name).pk}


def _post(name, need, data=None, kwargs=_company, **fields) -> Case:
    return Case(
        name, need, method="post", data=data if data is not None else {}, kwargs=kwargs, **fields
    )


def _get(name, need, kwargs=_company, **fields) -> Case:
    return Case(name, need, kwargs=kwargs, **fields)


VIEW_USERS, MANAGE_USERS = Portal("view_users"), Portal("manage_users")
ANY_CUSTOMER_USER = Portal("")

PORTAL_CASES = [
    # /portal/ sends a customer user to their company's first page they may see.
    Case("portal:home", ANY_CUSTOMER_USER),
    # Only a suspended company's users see it; everyone else is sent to /portal/.
    Case("portal:suspended", Anyone()),
    Case("portal:join", Anyone()),
    _post(
        "portal:join",
        Anyone(),
        {"first_name": "Jo", "last_name": "Iner", "email": "jo@nowhere.example"},
        kwargs=None,
        no_effect="nobody's domain matches, so nothing is queued (the same answer either way)",
    ),
    # A forged or expired link is a 400 for everyone (a valid one is signed by the join form).
    Case("portal:join_confirm", Anyone(), kwargs=lambda o: {"token": "forged"}, ok=(400,)),
    _get("portal:overview", Portal("view_overview")),
    _get("portal:users", VIEW_USERS),
    _get("portal:user_invite", MANAGE_USERS),
    _post(
        "portal:user_invite",
        MANAGE_USERS,
        {"first_name": "M", "last_name": "X", "email": "matrix@acme.example", "role": "read_only"},
    ),
    _get("portal:user_detail", VIEW_USERS, kwargs=_with("member", "mid")),
    _post(
        "portal:user_detail",
        MANAGE_USERS,
        {"action": "deactivate"},
        kwargs=_with("member", "mid"),
    ),
    _post(
        "portal:user_detail",
        MANAGE_USERS,
        {"action": "reset_two_factor", "reason": "lost phone"},
        kwargs=_with("member", "mid"),
        variant="reset two-factor",
        no_effect="the world's member has no second factor to reset: a message says so",
    ),
    _get("portal:permission_sets", MANAGE_USERS),
    _get("portal:permission_set_create", MANAGE_USERS),
    _post(
        "portal:permission_set_create",
        MANAGE_USERS,
        {"name": "Matrix set", "permissions": ["view_assets"]},
    ),
    _get("portal:permission_set_update", MANAGE_USERS, kwargs=_with("permission_set", "sid")),
    _post(
        "portal:permission_set_update",
        MANAGE_USERS,
        {"name": "Renamed set", "permissions": ["view_assets", "view_billing"]},
        kwargs=_with("permission_set", "sid"),
    ),
    _post(
        "portal:join_decision",
        MANAGE_USERS,
        kwargs=lambda o: {"cid": o.company.pk, "rid": o.join_request.pk, "decision": "decline"},
    ),
    _get("portal:locations", Portal("view_locations")),
    _get("portal:location_edit", Portal("manage_locations"), kwargs=_with("location", "lid")),
    _post(
        "portal:location_edit",
        Portal("manage_locations"),
        {"name": "Renamed by matrix"},
        kwargs=_with("location", "lid"),
    ),
    _get("portal:assets", Portal("view_assets")),
    _get("portal:billing", Portal("view_billing")),
    _get("portal:invoice_detail", Portal("view_billing"), kwargs=_with("invoice", "iid")),
    _get("portal:invoice_pdf", Portal("view_billing"), kwargs=_with("invoice", "iid")),
    _get("portal:invoice_receipt", Portal("view_billing"), kwargs=_with("paid_invoice", "iid")),
    # A reseller's own view (every company of the world is a reseller): its clients and its
    # approved commission statements.
    _get("portal:reseller_clients", Portal("view_billing")),
    _get("portal:reseller_statements", Portal("view_billing")),
    _get(
        "portal:reseller_statement_detail",
        Portal("view_billing"),
        kwargs=_with("commission_shown", "sid"),
    ),
    _get("portal:credit_note_pdf", Portal("view_billing"), kwargs=_with("credit_note", "nid")),
    # Documents staff shared with the company (#18): the list and a download.
    _get("portal:documents", Portal("view_documents")),
    _get("portal:document_download", Portal("view_documents"), kwargs=_with("document", "did")),
    # Timeline entries staff shared with the company (#18).
    _get("portal:activity", Portal("view_overview")),
    # Support tickets (#19): the company's, to read; opening and replying need open_tickets.
    _get("portal:tickets", Portal("view_tickets")),
    _get("portal:ticket_open", Portal("open_tickets")),
    _post(
        "portal:ticket_open",
        Portal("open_tickets"),
        {
            "subject": "Matrix",
            "description": "Opened by the matrix",
            "category": "question",
            "priority": "normal",
        },
    ),
    _get("portal:ticket_detail", Portal("view_tickets"), kwargs=_with("ticket", "tid")),
    _post(
        "portal:ticket_detail",
        Portal("open_tickets"),
        {"body": "Matrix reply"},
        kwargs=_with("ticket", "tid"),
    ),
    _get(
        "portal:ticket_attachment",
        Portal("view_tickets"),
        kwargs=lambda o: {"cid": o.company.pk, "tid": o.ticket.pk, "aid": o.ticket_file.pk},
    ),
    _get("portal:settings", Portal("manage_settings")),
    # A company's email domains: its customer admins claim, prove and remove them.
    _get("portal:domains", MANAGE_USERS),
    _post("portal:domains", MANAGE_USERS, {"domain": "matrix-claim.example"}),
    _post(
        "portal:domain_action",
        MANAGE_USERS,
        lambda o: {"action": "send", "address": f"admin@{o.email_domain.domain}"},
        kwargs=_with("email_domain", "did"),
        variant="send",
    ),
    _post(
        "portal:domain_action",
        MANAGE_USERS,
        {"action": "check"},
        kwargs=_with("email_domain", "did"),
        variant="check",
        no_effect="no DNS server answers in tests: the check fails with a message",
    ),
    _post(
        "portal:domain_action",
        MANAGE_USERS,
        {"action": "remove"},
        kwargs=_with("email_domain", "did"),
        variant="remove",
    ),
    # A mailed verification link: a forged one is a 400 for everyone and changes nothing.
    Case("portal:domain_verify", Anyone(), kwargs=lambda o: {"token": "forged"}, ok=(400,)),
    _post(
        "portal:domain_verify",
        Anyone(),
        kwargs=lambda o: {"token": "forged"},
        ok=(400,),
        no_effect="a forged link verifies nothing",
    ),
    _post(
        "portal:settings",
        Portal("manage_settings"),
        {
            "details-country": "US",
            "profile-accent_colour": "#000000",
            "profile-usage_alert_percent": 80,
        },
    ),
    # The company's two-factor rule: its customer admins' (who manage its users).
    _post(
        "portal:settings",
        MANAGE_USERS,
        {"security-require_two_factor": "on", "security-submit": "1"},
        variant="two-factor",
    ),
    # Every customer user's own tokens: no portal permission needed.
    _get("portal:api_tokens", ANY_CUSTOMER_USER),
    _post("portal:api_tokens", ANY_CUSTOMER_USER, {"name": "Matrix"}),
]
