"""The billing pages, one module per concern: projects, invoices (and invoice runs),
subscriptions, plans and usage, payments (and commission), settings and the customer
page's Billing tab. urls.py imports each view from its module."""

# The portal's invoice downloads import this from here (portal/views/billing.py).
from .invoices import pdf_response

__all__ = ["pdf_response"]
