"""A company's email domains: claiming one, proving it (a DNS TXT record or a link mailed to
an admin address at the domain), and which company people at a domain may ask to join.

Only a verified domain lets anyone join, and within a tenant at most one company has verified
a domain (a partial unique index backs the check made here under a lock). Webmail and
throwaway domains (``data/public_email_domains.txt``) are never accepted."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

import dns.exception
import dns.nameserver
import dns.resolver
from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services import queue_email
from core.policies import Capability
from core.scope import scope_for
from core.services import save_with_history
from core.tokens import tenant_dumps, tenant_loads
from customers.models import Customer

from .domain_names import display_domain, domain_of_email, is_public_email_domain, normalize_domain
from .models import CompanyDomain, Membership, PortalPermission

VERIFY_PURPOSE = "portal.domain_verify"
VERIFY_LINK_MAX_AGE = 3 * 24 * 3600
TXT_PREFIX = "clientele-verification="
# The mailboxes a domain's owner conventionally controls (RFC 2142 and the CA/Browser
# Forum's list for domain validation), besides the requesting admin's own address.
ADMIN_MAILBOXES = ("admin", "administrator", "hostmaster", "postmaster", "webmaster")
MAX_DOMAINS_PER_COMPANY = 20
# A link to a domain's mailbox at most this often (seconds): no mail bombing of admin@.
LINK_RESEND_AFTER = 60

PUBLIC_DOMAIN_MESSAGE = (
    "{domain} is a public email service: anyone can get an address there, so no company can "
    "claim it. Use your company's own domain."
)
TAKEN_MESSAGE = "{domain} is already verified by another company; contact support."


def _authorize(actor: User | None, customer_id: int) -> None:
    """The company's customer admins, or staff who manage records, for a company they reach
    (``None`` is the system)."""
    if actor is None:
        return
    scope = scope_for(actor)
    if scope.is_customer_user:
        allowed = scope.portal_can(PortalPermission.MANAGE_USERS)
    else:
        allowed = scope.can(Capability.MANAGE_RECORDS)
    if not (allowed and scope.reaches_customer(customer_id)):
        raise PermissionDenied("You may not manage this company's email domains.")


def _refuse_unclaimable(domain: str, customer_id: int) -> None:
    if is_public_email_domain(domain):
        raise ValidationError(
            {"domain": PUBLIC_DOMAIN_MESSAGE.format(domain=display_domain(domain))}
        )
    taken = (
        CompanyDomain.objects.verified()
        .filter(domain=domain)
        .exclude(customer_id=customer_id)
        .exists()
    )
    if taken:
        raise ValidationError({"domain": TAKEN_MESSAGE.format(domain=display_domain(domain))})


@transaction.atomic
def domain_add(*, customer: Customer, domain: str, actor: User | None) -> CompanyDomain:
    """Claim ``domain`` for ``customer``, unverified: it lets nobody join until proven."""
    _authorize(actor, customer.pk)
    domain = normalize_domain(domain) if domain else ""
    if not domain:
        raise ValidationError({"domain": "Enter a domain, e.g. acme.com."})
    locked = Customer.objects.select_for_update().filter(pk=customer.pk).first()
    if locked is None or locked.deleted_at is not None:
        raise ValidationError("That company has been deleted.")
    _refuse_unclaimable(domain, customer.pk)
    existing = CompanyDomain.objects.filter(customer=customer)
    if existing.filter(domain=domain).exists():
        raise ValidationError({"domain": f"{display_domain(domain)} is already listed."})
    if existing.count() >= MAX_DOMAINS_PER_COMPANY:
        raise ValidationError(
            f"A company can list at most {MAX_DOMAINS_PER_COMPANY} domains; remove one first."
        )
    row = CompanyDomain(
        customer=customer,
        domain=domain,
        token=secrets.token_urlsafe(24),
        requested_by=actor,
    )
    return save_with_history(row, actor=actor, reason="Added, not verified yet")


@transaction.atomic
def domain_remove(*, company_domain: CompanyDomain, actor: User | None) -> None:
    """Remove a domain (verified or not): people at it can no longer ask to join."""
    _authorize(actor, company_domain.customer_id)
    row = CompanyDomain.objects.select_for_update().filter(pk=company_domain.pk).first()
    if row is None:
        return
    row._history_user = actor
    row._change_reason = "Removed"
    row.delete()


# --- Proof by DNS ---------------------------------------------------------------------


@dataclass(frozen=True)
class DnsAnswer:
    """What the TXT lookup found: the record texts, or why there are none (``problem``)."""

    texts: tuple[str, ...] = ()
    problem: str = ""


def _nameserver(entry: str) -> dns.nameserver.Do53Nameserver:
    """``"127.0.0.1:5353"``, ``"[::1]:5353"``, ``"9.9.9.9"`` (port 53) as a nameserver."""
    host, port = entry.strip(), 53
    if host.startswith("["):
        host, _, rest = host[1:].partition("]")
        port = int(rest.lstrip(":") or 53)
    elif host.count(":") == 1:
        host, _, number = host.partition(":")
        port = int(number)
    return dns.nameserver.Do53Nameserver(host, port)


def make_resolver() -> dns.resolver.Resolver:
    """The system's resolver, or the nameservers of ``DOMAIN_VERIFICATION_NAMESERVERS``."""
    nameservers: Sequence[str] = getattr(settings, "DOMAIN_VERIFICATION_NAMESERVERS", None) or ()
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [_nameserver(entry) for entry in nameservers]
    else:
        resolver = dns.resolver.Resolver()
    resolver.lifetime = float(getattr(settings, "DOMAIN_VERIFICATION_DNS_TIMEOUT", 5.0))
    resolver.timeout = resolver.lifetime
    resolver.cache = None
    return resolver


def lookup_txt(domain: str) -> DnsAnswer:
    """The TXT records at ``domain`` (normalised), asked of a fresh resolver."""
    shown = display_domain(domain)
    try:
        resolver = make_resolver()
        answer = resolver.resolve(domain, "TXT", search=False)
    except dns.resolver.NXDOMAIN:
        return DnsAnswer(problem=f"{shown} does not exist in DNS.")
    except dns.resolver.NoAnswer:
        return DnsAnswer(problem=f"{shown} has no TXT records.")
    except dns.exception.Timeout:
        return DnsAnswer(
            problem=f"The DNS servers did not answer for {shown} in time; try again in a while."
        )
    except (dns.resolver.NoNameservers, dns.resolver.NoResolverConfiguration):
        return DnsAnswer(problem=f"No DNS server would answer for {shown}; try again later.")
    except (dns.exception.DNSException, OSError, ValueError) as error:
        return DnsAnswer(problem=f"{shown} could not be looked up ({type(error).__name__}).")
    texts = []
    for record in answer:
        try:
            texts.append(b"".join(record.strings).decode("utf-8", errors="replace").strip())
        except AttributeError:  # not a TXT record after all
            continue
    return DnsAnswer(texts=tuple(texts))


def domain_verify_by_dns(*, company_domain: CompanyDomain, actor: User | None) -> CompanyDomain:
    """Look for ``clientele-verification=<token>`` in the TXT records at the domain itself;
    found, the domain is the company's (unless another company verified it meanwhile). The
    lookup happens before any row is locked; not found is a ValidationError saying what was
    there instead."""
    _authorize(actor, company_domain.customer_id)
    if company_domain.is_verified:
        return company_domain
    _refuse_unclaimable(company_domain.domain, company_domain.customer_id)
    expected = company_domain.txt_record
    answer = lookup_txt(company_domain.domain)
    shown = company_domain.display
    if answer.problem:
        raise ValidationError(
            f"Not verified: {answer.problem} Add a TXT record {expected} at {shown}; DNS "
            "changes can take a while to show."
        )
    if expected not in answer.texts:
        others = [text for text in answer.texts if text.startswith(TXT_PREFIX)]
        hint = " (there is one with another code: copy the code again)" if others else ""
        raise ValidationError(
            f"Not verified: no TXT record {expected} at {shown}{hint}. DNS changes can take "
            "a while to show; try again later."
        )
    return _mark_verified(
        company_domain_id=company_domain.pk,
        token=company_domain.token,
        method=CompanyDomain.Method.DNS,
        how=f"DNS TXT record at {shown}",
        actor=actor,
    )


@transaction.atomic
def _mark_verified(
    *,
    company_domain_id: int,
    token: str,
    method: str,
    how: str,
    actor: User | None,
    link_sent_at=None,
) -> CompanyDomain:
    gone = ValidationError("This domain was removed or claimed again; start over.")
    domain = CompanyDomain.objects.filter(pk=company_domain_id).values_list("domain", flat=True)
    if not domain:
        raise gone
    # Every claim of the domain is locked, in one order (no deadlock), so two companies
    # proving it at once meet here: the second sees the first's verification.
    claims = CompanyDomain.objects.select_for_update().filter(domain=domain[0]).order_by("pk")
    row = {claim.pk: claim for claim in claims}.get(company_domain_id)
    if row is None or row.token != token:
        raise gone
    if link_sent_at is not None and row.link_sent_at != link_sent_at:
        raise ValidationError("A newer link was sent for this domain; use that one.")
    if row.is_verified:
        return row
    _refuse_unclaimable(row.domain, row.customer_id)
    row.method = method
    row.verified_at = timezone.now()
    row.verified_by = actor
    row.verified_how = how[:300]
    try:
        with transaction.atomic():
            return save_with_history(row, actor=actor, reason=f"Verified by {how}"[:100])
    except IntegrityError:  # the partial unique index: someone else won the race
        raise ValidationError(TAKEN_MESSAGE.format(domain=row.display)) from None


# --- Proof by a link mailed to the domain ---------------------------------------------


def verification_addresses(company_domain: CompanyDomain, actor: User | None) -> list[str]:
    """Where the link may go: the domain's admin mailboxes and, for a customer user of the
    company whose own address is at the domain, that address."""
    addresses = [f"{box}@{company_domain.domain}" for box in ADMIN_MAILBOXES]
    own = (getattr(actor, "email", "") or "").strip().lower()
    scope = scope_for(actor) if actor is not None else None
    if (
        own
        and scope is not None
        and scope.is_customer_user
        and scope.reaches_customer(company_domain.customer_id)
        and domain_of_email(own) == company_domain.domain
    ):
        local = own.rpartition("@")[0]
        own_address = f"{local}@{company_domain.domain}"
        if own_address not in addresses:
            addresses.insert(0, own_address)
    return addresses


@transaction.atomic
def domain_send_verification_link(
    *, company_domain: CompanyDomain, address: str, actor: User | None, base_url: str
) -> CompanyDomain:
    """Mail a one-use link (valid three days, this tenant only) to ``address``, one of
    ``verification_addresses``; whoever follows it proves the company controls the domain.
    A newer link replaces the older one."""
    _authorize(actor, company_domain.customer_id)
    row = CompanyDomain.objects.select_for_update().filter(pk=company_domain.pk).first()
    if row is None:
        raise ValidationError("This domain was removed.")
    if row.is_verified:
        raise ValidationError(f"{row.display} is already verified.")
    _refuse_unclaimable(row.domain, row.customer_id)
    if row.link_sent_at and (timezone.now() - row.link_sent_at).total_seconds() < LINK_RESEND_AFTER:
        raise ValidationError(
            f"A link was sent to {row.link_sent_to} a moment ago; wait a minute before sending "
            "another."
        )
    address = (address or "").strip().lower()
    if address not in verification_addresses(row, actor):
        raise ValidationError({"address": f"Choose one of the admin addresses at {row.display}."})
    row.link_sent_to = address
    row.link_sent_at = timezone.now()
    save_with_history(row, actor=actor, reason=f"Verification link sent to {address}"[:100])
    token = tenant_dumps(
        {"d": row.pk, "t": row.token, "to": address, "s": row.link_sent_at.isoformat()},
        purpose=VERIFY_PURPOSE,
    )
    link = base_url.rstrip("/") + reverse("portal:domain_verify", args=[token])
    body = render_to_string(
        "portal/email/domain_verify_message.txt",
        {"domain": row.display, "company": row.customer.name, "link": link, "actor": actor},
    )
    queue_email(
        subject=f"[Clientele] Confirm that {row.display} belongs to {row.customer.name}",
        body=body,
        to=[address],
    )
    return row


def domain_for_link(token: str) -> CompanyDomain | None:
    """The unverified domain a mailed link (still valid, of this tenant, the newest one sent
    for it) is about, or ``None``."""
    try:
        data = tenant_loads(token, purpose=VERIFY_PURPOSE, max_age=VERIFY_LINK_MAX_AGE)
        row = CompanyDomain.objects.select_related("customer").filter(pk=int(data["d"])).first()
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if (
        row is None
        or row.is_verified
        or row.token != data.get("t")
        or row.link_sent_to != data.get("to")
        or row.link_sent_at is None
        or row.link_sent_at.isoformat() != data.get("s")
    ):
        return None
    return row


def domain_verify_by_link(*, token: str, actor: User | None = None) -> CompanyDomain:
    """Follow a mailed link: the domain is verified (once; a second use does nothing)."""
    row = domain_for_link(token)
    if row is None:
        raise ValidationError(
            "This link is not valid: it expired, was used already, a newer one was sent, or "
            "it is for another workspace."
        )
    return _mark_verified(
        company_domain_id=row.pk,
        token=row.token,
        method=CompanyDomain.Method.EMAIL,
        how=f"a link mailed to {row.link_sent_to}",
        actor=actor if actor is not None and actor.is_authenticated else None,
        link_sent_at=row.link_sent_at,
    )


# --- Joining --------------------------------------------------------------------------


def company_for_email(email: str) -> Customer | None:
    """The one live company that verified the email's domain and lets people join by it."""
    domain = domain_of_email(email)
    if not domain or is_public_email_domain(domain):
        return None
    return (
        Customer.objects.filter(
            deleted_at__isnull=True,
            portal_profile__allow_domain_join=True,
            email_domains__domain=domain,
            email_domains__verified_at__isnull=False,
        )
        .order_by("pk")
        .first()
    )


def companies_of_user(address: str) -> set[int]:
    """The company of the active user with this address (tickets' mail in)."""
    return set(
        Membership.objects.filter(
            user__email__iexact=address, user__is_active=True, customer__deleted_at__isnull=True
        ).values_list("customer_id", flat=True)
    )


def companies_of_domain(address: str) -> set[int]:
    """The companies that verified the address's domain (never a public mail provider's)."""
    domain = domain_of_email(address)
    if not domain or is_public_email_domain(domain):
        return set()
    return set(
        CompanyDomain.objects.verified()
        .filter(domain=domain, customer__deleted_at__isnull=True)
        .values_list("customer_id", flat=True)
    )
