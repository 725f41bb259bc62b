"""What an actor must get from a case, from three facts: what the route needs, who the actor
is, and whether the records the URL (or the body) names are within the actor's reach.

Reach: alpha's unlimited staff reach every record of alpha; a limited staff user and a
customer user reach their company family's (a company and its sub-accounts) and, for staff,
the tenant's own records (plans, webhooks…); people of another tenant reach nothing of alpha;
the platform's records are its operators'.
"""

from __future__ import annotations

from .actors import PORTAL_GRANTS, Actor
from .spec import ROLE_GRANTS, Anyone, Case, Operator, Portal, SignedIn, Staff
from .world import TARGETS, TENANT_RECORDS, TOKENS

LOGIN = "login"  # HTML: sent to the sign-in page; API: 401
ALLOWED = "allowed"  # HTML: 200/302 (not to sign in); API: 2xx; or the case's ``ok``
REFUSED = "refused"  # a body naming records out of reach: an error answer, nothing changed
FORBIDDEN, NOT_FOUND = 403, 404
DENIED = "denied"  # both: the role lacks the capability and the record is out of reach


def _owner(ref: str, target: str) -> str:
    """Who owns a record the case names: "tenant" or a company family ("A", "B")."""
    if ref in TENANT_RECORDS:
        return "tenant"
    if ref == "public":
        return "public"
    if ref == "company" and target == "mixed":
        return "A"
    return TARGETS[target][0]


def reaches(actor: Actor, owner: str) -> bool:
    if owner == "public" or actor.kind == "operator":
        return owner == "public" and actor.kind == "operator" and not actor.replayed_on
    if actor.tenant != "alpha" or actor.replayed_on:
        return False
    if actor.kind == "staff":
        return owner == "tenant" or not actor.limited or owner == actor.family
    if actor.kind == "customer":
        return owner == actor.family
    return False


def _all_reached(actor: Actor, refs, target: str) -> bool:
    return all(reaches(actor, _owner(ref, target)) for ref in refs)


def expected(case: Case, actor: Actor, target: str):
    """LOGIN, ALLOWED, REFUSED, FORBIDDEN, NOT_FOUND, DENIED, or a status from ``answers``."""
    override = case.actor_answers.get(actor.key)
    if override is None:
        override = case.answers.get(actor.kind if actor.signed_in else "nobody")
    if override is not None:
        return override
    need = case.need
    if not actor.signed_in:
        return ALLOWED if isinstance(need, Anyone) else LOGIN
    url_ok = _all_reached(actor, case.refs, target)
    body_ok = _all_reached(actor, case.data_refs, target)
    if isinstance(need, (Anyone, SignedIn)):
        # Pages for anyone on the host: another tenant's host does not know the record.
        return NOT_FOUND if case.refs and actor.host(case.host) != "alpha" else ALLOWED
    if isinstance(need, Operator):
        return ALLOWED if actor.kind == "operator" else FORBIDDEN
    if isinstance(need, Staff):
        if actor.kind != "staff":
            return FORBIDDEN
        if need.capability not in ROLE_GRANTS[actor.role]:
            # A view may look the record up before the role check: either refusal will do.
            return FORBIDDEN if url_ok else DENIED
    elif isinstance(need, Portal):
        if actor.kind != "customer":
            return FORBIDDEN
        # The company in the URL is looked up first (404), then the permission (403), then
        # the record after it.
        if "company" in case.refs and not _all_reached(actor, {"company"}, target):
            return NOT_FOUND
        if need.permission and need.permission not in PORTAL_GRANTS[actor.role]:
            return FORBIDDEN
    if not url_ok:
        return NOT_FOUND
    return ALLOWED if body_ok else REFUSED


def hidden_tokens(actor: Actor) -> list[str]:
    """The words of the company families the actor must never see in an answer."""
    return [token for family, token in TOKENS.items() if not reaches(actor, family)]
