"""How invoice emails are sent in the seller's name: the From name of the seller profile (the
workspace's name if empty) at the platform's sending address, so mail still passes the
platform's SPF/DKIM, and Reply-To the seller's own address, so a customer's accounts team
answers the seller, not a no-reply box."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings

from .models_tax import SellerProfile


def invoice_email_headers(tenant_name: str) -> dict:
    """``from_email`` and ``reply_to`` for EmailMessage."""
    profile = SellerProfile.current()
    name = profile.email_from_name or profile.legal_name or tenant_name
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    reply_to = profile.email_reply_to or profile.contact_email
    return {
        "from_email": formataddr((name, address)),
        "reply_to": [reply_to] if reply_to else None,
    }
