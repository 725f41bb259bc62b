"""Shared by the billing pages."""

from __future__ import annotations


class BillingNavMixin:
    nav_section = "billing"
