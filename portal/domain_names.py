"""Email domains as the portal compares them: one spelling (lower case, IDNA's ASCII form) and
the public webmail and throwaway domains nobody may claim (``data/public_email_domains.txt``).

Pure functions, no models: the model, the forms, the services and the join page share them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import idna
from django.core.exceptions import ValidationError
from django.core.validators import DomainNameValidator

PUBLIC_DOMAINS_FILE = Path(__file__).parent / "data" / "public_email_domains.txt"

_ascii_domain = DomainNameValidator(accept_idna=False)


def normalize_domain(value: str) -> str:
    """``value`` (``Acme.COM``, ``@acme.com``, ``bücher.example.``) in the one form the
    portal stores and compares (``acme.com``, ``xn--bcher-kva.example``), or a ValidationError
    saying what is wrong with it."""
    text = (value or "").strip().lstrip("@").rstrip(".").lower()
    if not text:
        raise ValidationError("Enter a domain, e.g. acme.com.", code="required")
    if "@" in text or "/" in text or ":" in text or " " in text:
        raise ValidationError(
            "Enter just the domain, e.g. acme.com (not an address or a link).", code="invalid"
        )
    try:
        ascii_form = idna.encode(text, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        raise ValidationError(
            f"{value.strip()} is not a valid domain name.", code="invalid"
        ) from None
    if "." not in ascii_form or len(ascii_form) > 253:
        raise ValidationError("Enter a full domain with its ending, e.g. acme.com.", code="invalid")
    try:
        _ascii_domain(ascii_form)
    except ValidationError:
        raise ValidationError(
            f"{value.strip()} is not a valid domain name.", code="invalid"
        ) from None
    return ascii_form


def domain_of_email(email: str) -> str:
    """The normalised domain of an email address, or "" when it has none that is valid."""
    _, at, domain = (email or "").strip().rpartition("@")
    if not at:
        return ""
    try:
        return normalize_domain(domain)
    except ValidationError:
        return ""


def display_domain(domain: str) -> str:
    """The stored (ASCII) form as people write it: ``xn--bcher-kva.example`` → ``bücher.example``."""
    try:
        return idna.decode(domain)
    except (idna.IDNAError, UnicodeError, ValueError):
        return domain


@cache
def _public_domains() -> tuple[frozenset[str], frozenset[str]]:
    """(exact domains, names that match under any ending) from the data file."""
    exact, any_ending = set(), set()
    for line in PUBLIC_DOMAINS_FILE.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if not entry:
            continue
        if entry.endswith(".*"):
            any_ending.add(entry[:-2])
        else:
            exact.add(entry)
    return frozenset(exact), frozenset(any_ending)


def _is_public_suffix_like(labels: list[str]) -> bool:
    """``com``, ``fr``, ``co.uk``, ``com.br``: what follows a provider's name in its domains
    (one label, or a short second-level label and a country)."""
    if len(labels) == 1:
        return True
    return len(labels) == 2 and len(labels[0]) <= 3 and len(labels[1]) == 2


def is_public_email_domain(domain: str) -> bool:
    """Whether ``domain`` (normalised) is, or is under, a webmail or throwaway domain."""
    exact, any_ending = _public_domains()
    labels = domain.split(".")
    for start in range(len(labels)):
        if ".".join(labels[start:]) in exact:
            return True
        if labels[start] in any_ending and _is_public_suffix_like(labels[start + 1 :]):
            return True
    return False
