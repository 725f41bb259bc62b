"""The fixed vocabularies of billing: statuses, kinds and methods, with the badge each
status wears. Kept apart from the models so lists, filters, services and pure pricing code
can name them without the model classes; ``billing.models`` re-exports them."""

from django.db import models


class ProjectStatus(models.TextChoices):
    UPCOMING = "upcoming", "Upcoming"
    ACTIVE = "active", "Active"
    PAST = "past", "Past"
    CANCELLED = "cancelled", "Cancelled"


PROJECT_STATUS_BADGES = {
    ProjectStatus.UPCOMING: "text-bg-primary",
    ProjectStatus.ACTIVE: "text-bg-success",
    ProjectStatus.PAST: "text-bg-secondary",
    ProjectStatus.CANCELLED: "text-bg-dark",
}


class SubscriptionStatus(models.TextChoices):
    TRIAL = "trial", "Trial"
    ACTIVE = "active", "Active"
    PAST_DUE = "past_due", "Past due"
    CANCELLED = "cancelled", "Cancelled"


SUBSCRIPTION_BADGES = {
    SubscriptionStatus.TRIAL: "text-bg-info",
    SubscriptionStatus.ACTIVE: "text-bg-success",
    SubscriptionStatus.PAST_DUE: "text-bg-warning",
    SubscriptionStatus.CANCELLED: "text-bg-secondary",
}
LIVE_SUBSCRIPTION = [
    SubscriptionStatus.TRIAL,
    SubscriptionStatus.ACTIVE,
    SubscriptionStatus.PAST_DUE,
]


class UsageSource(models.TextChoices):
    STAFF = "staff", "Entered by staff"
    API = "api", "API"
    IMPORT = "import", "Import"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"
    VOID = "void", "Void"


INVOICE_BADGES = {
    InvoiceStatus.DRAFT: "text-bg-secondary",
    InvoiceStatus.ISSUED: "text-bg-primary",
    InvoiceStatus.PARTIALLY_PAID: "text-bg-info",
    InvoiceStatus.PAID: "text-bg-success",
    InvoiceStatus.OVERDUE: "text-bg-danger",
    InvoiceStatus.VOID: "text-bg-dark",
}
OPEN_INVOICE = [InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.OVERDUE]


class LineKind(models.TextChoices):
    SUBSCRIPTION = "subscription", "Subscription"
    SEATS = "seats", "Seats"
    USAGE = "usage", "Usage"
    PROJECT = "project", "Project"
    CONTRACT = "contract", "Contract"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    OTHER = "other", "Other"
