"""Projects, plans, subscriptions, usage, invoices and payments. Financial records outlive the
customer: a purged customer leaves its projects and invoices with a snapshot of its name.
Money is Decimal everywhere (see money.py); an issued invoice never changes except its
payment status."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

# The vocabularies live in choices.py; importers may keep naming them from billing.models.
from .choices import (
    INVOICE_BADGES,
    LIVE_SUBSCRIPTION,  # noqa: F401 - re-exported
    OPEN_INVOICE,
    PROJECT_STATUS_BADGES,
    SUBSCRIPTION_BADGES,
    InvoiceStatus,
    LineKind,
    PaymentMethod,
    ProjectStatus,
    SubscriptionStatus,
    UsageSource,
)
from .models_commission import (  # noqa: F401
    CommissionBasis,
    CommissionStatement,
    CommissionStatementLine,
    StatementStatus,
)
from .models_credit import (  # noqa: F401
    CreditNote,
    CreditNoteLine,
    CreditNoteSequence,
    CustomerCredit,
)
from .models_dunning import DunningNotice, DunningPolicy, DunningStage  # noqa: F401
from .models_tax import (  # noqa: F401
    CustomerTaxFields,
    InvoiceTaxFields,
    LineTaxFields,
    NumberFormat,
    SellerProfile,
    TaxRate,
    TaxTreatment,
)
from .querysets import (
    InvoiceQuerySet,
    PaymentQuerySet,
    PlanQuerySet,
    ProjectQuerySet,
    SubscriptionQuerySet,
    UsageRecordQuerySet,
)

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class Project(models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="projects",
    )
    customer_name = models.CharField(
        max_length=200, editable=False, default="", help_text="Kept if the customer is purged."
    )
    name = models.CharField(max_length=200)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Empty for open-ended work.")
    is_cancelled = models.BooleanField("cancelled", default=False)
    monthly_fee = models.DecimalField(default=Decimal("0"), **MONEY)
    contract_value = models.DecimalField(default=Decimal("0"), **MONEY)
    locations = models.ManyToManyField("locations.Location", blank=True, related_name="projects")
    notes = models.TextField(blank=True, max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"], m2m_fields=[locations])
    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name", "pk"]
        indexes = [
            models.Index(fields=["customer", "start_date"], name="project_customer_start"),
            models.Index(fields=["start_date", "end_date"], name="project_dates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="project_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.customer_id and not self.customer_name:
            self.customer_name = self.customer.name
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("billing:project_detail", kwargs={"pk": self.pk})

    def clean(self) -> None:
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})

    def status_on(self, day: date) -> str:
        if self.is_cancelled:
            return ProjectStatus.CANCELLED
        if self.start_date > day:
            return ProjectStatus.UPCOMING
        if self.end_date is not None and self.end_date < day:
            return ProjectStatus.PAST
        return ProjectStatus.ACTIVE

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return ProjectStatus(self.status).label

    @property
    def status_badge_class(self) -> str:
        return PROJECT_STATUS_BADGES[self.status]


POSITIVE_MONEY = {
    "max_digits": 14,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0.01"))],
}
QUANTITY = {"max_digits": 16, "decimal_places": 3, "validators": [MinValueValidator(Decimal("0"))]}


class BillingSettings(models.Model):
    """One row per tenant: payment terms, the overdue policy and the invoice counter. Issuing
    locks this row, so numbers are handed out one transaction at a time, without gaps."""

    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)", default=14, validators=[MaxValueValidator(365)]
    )
    suspend_after_days = models.PositiveSmallIntegerField(
        "suspend portal access after (days overdue)",
        default=30,
        validators=[MaxValueValidator(365)],
        help_text="0 turns automatic suspension off.",
    )
    tax_rate = models.DecimalField(
        "tax rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    invoice_prefix = models.CharField(max_length=12, default="INV-", blank=True)
    next_invoice_number = models.PositiveIntegerField(default=1, editable=False)
    payment_instructions = models.TextField(
        blank=True, max_length=1000, help_text="Printed on every invoice, e.g. bank details."
    )
    commission_basis = models.CharField(
        "resellers' commission on",
        max_length=10,
        choices=CommissionBasis,
        default=CommissionBasis.PAYMENTS,
        help_text="Either way, a client's charges billed to its reseller (consolidated "
        "invoices) count for that client.",
    )

    class Meta:
        verbose_name = "billing settings"
        verbose_name_plural = "billing settings"

    def __str__(self) -> str:
        return "Billing settings"

    @classmethod
    def current(cls) -> BillingSettings:
        return cls.objects.get_or_create(pk=1)[0]


class Metric(models.Model):
    """Something usage is measured in. Operations, storage and bandwidth come with every
    tenant; a tenant may add its own."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    unit = models.CharField(max_length=20, help_text="e.g. GB, calls")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    monthly_fee = models.DecimalField("flat monthly fee", default=Decimal("0"), **MONEY)
    seat_fee = models.DecimalField("fee per seat per month", default=Decimal("0"), **MONEY)
    max_seats = models.PositiveIntegerField(
        null=True, blank=True, help_text="Empty for no limit on seats."
    )
    is_active = models.BooleanField(
        "offered", default=True, help_text="Retired plans keep their subscribers."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["monthly_fee", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("billing:plan_update", kwargs={"pk": self.pk})

    def monthly_price(self, seats: int) -> Decimal:
        return self.monthly_fee + self.seat_fee * seats


class PlanTier(models.Model):
    """Graduated usage price: units of ``metric`` up to ``up_to`` (after the previous tier)
    cost ``unit_price`` each; the tier without a limit takes the rest."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tiers")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="tiers")
    up_to = models.DecimalField(
        null=True, blank=True, help_text="Empty for no upper limit.", **QUANTITY
    )
    unit_price = models.DecimalField(
        max_digits=14, decimal_places=4, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        ordering = ["metric__name", models.F("up_to").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "metric", "up_to"],
                name="plan_tier_unique_limit",
                nulls_distinct=False,
            )
        ]

    def __str__(self) -> str:
        limit = "and above" if self.up_to is None else f"up to {self.up_to.normalize()}"
        return f"{self.metric} {limit} at {self.unit_price.normalize()}"


class Subscription(models.Model):
    """A company's plan. Each plan or seat change starts a new term, so every period is
    billed day by day for what was in force."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    seats = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    start_date = models.DateField()
    trial_end = models.DateField(
        null=True, blank=True, help_text="No charge for the plan until this day (inclusive)."
    )
    status = models.CharField(
        max_length=20, choices=SubscriptionStatus, default=SubscriptionStatus.ACTIVE
    )
    anchor_day = models.PositiveSmallIntegerField(
        "billing anchor day",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text="Each period starts on this day of the month (1–28).",
    )
    cancelled_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "pk"]
        indexes = [models.Index(fields=["status", "anchor_day"], name="subscription_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=~models.Q(status="cancelled"),
                name="one_live_subscription_per_customer",
                violation_error_message="This customer already has a subscription: change it.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} for {self.customer.name}"

    def get_absolute_url(self) -> str:
        return reverse("billing:subscription_detail", kwargs={"pk": self.pk})

    @property
    def status_badge_class(self) -> str:
        return SUBSCRIPTION_BADGES[self.status]

    @property
    def monthly_price(self) -> Decimal:
        return self.plan.monthly_price(self.seats)

    def clean(self) -> None:
        super().clean()
        if self.plan_id and self.plan.max_seats and self.seats and self.seats > self.plan.max_seats:
            raise ValidationError(
                {"seats": f"The {self.plan} plan allows at most {self.plan.max_seats} seats."}
            )
        if self.trial_end and self.start_date and self.trial_end < self.start_date:
            raise ValidationError({"trial_end": "The trial cannot end before it starts."})


class SubscriptionTerm(models.Model):
    """What was in force from ``effective_from`` until the next term."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="terms")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    seats = models.PositiveIntegerField()
    effective_from = models.DateField()

    class Meta:
        ordering = ["subscription", "effective_from", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "effective_from"], name="one_term_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}, {self.seats} seats from {self.effective_from}"


class UsageRecord(models.Model):
    """A day's quantity of one metric for one customer (entering it again replaces it)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="usage_records"
    )
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="usage_records")
    day = models.DateField()
    quantity = models.DecimalField(**QUANTITY)
    source = models.CharField(max_length=10, choices=UsageSource, default=UsageSource.STAFF)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "metric__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "metric", "day"], name="usage_one_per_customer_metric_day"
            )
        ]
        indexes = [models.Index(fields=["day"], name="usage_day")]

    def __str__(self) -> str:
        return f"{self.quantity.normalize()} {self.metric.unit} of {self.metric} on {self.day}"


class BillingProfile(CustomerTaxFields, models.Model):
    """How one customer is billed: reseller commission, consolidated billing for an agency's
    sub-accounts, and the payment method shown in the portal (a label, never card data)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="billing_profile"
    )
    is_reseller = models.BooleanField("reseller", default=False)
    commission_rate = models.DecimalField(
        "commission (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    consolidated_billing = models.BooleanField(
        "bill sub-accounts on this customer's invoice",
        default=False,
        help_text="Sub-accounts' charges appear on the parent's invoice, grouped by sub-account.",
    )
    payment_method_label = models.CharField(
        "payment method",
        max_length=60,
        blank=True,
        help_text='A label only, e.g. "Visa ending 4242" — card details are never stored.',
    )
    suspended_for_nonpayment = models.BooleanField(default=False, editable=False)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"Billing of {self.customer.name}"

    def clean(self) -> None:
        super().clean()
        if self.commission_rate and not self.is_reseller:
            raise ValidationError({"commission_rate": "Only a reseller earns commission."})


class Invoice(InvoiceTaxFields, models.Model):
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    customer_name = models.CharField(max_length=200, editable=False, default="")
    number = models.CharField(max_length=30, null=True, blank=True, unique=True, editable=False)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=20, choices=InvoiceStatus, default=InvoiceStatus.DRAFT)
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    subtotal = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    tax = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    amount_paid = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    recurring_total = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        editable=False,
        help_text="Plan and seat charges: what the MRR trend sums.",
    )
    paid_on = models.DateField(null=True, blank=True)
    billing_address = models.TextField(
        blank=True, editable=False, help_text="The billing contact and address when issued."
    )
    billing_email = models.EmailField(blank=True, editable=False)
    overdue_notice_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    void_reason = models.CharField(max_length=300, blank=True)
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced_by"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = InvoiceQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "-pk"]
        indexes = [
            models.Index(fields=["customer", "period_start"], name="invoice_customer_period"),
            models.Index(fields=["-period_start", "-id"], name="invoice_period_id"),
            models.Index(fields=["issue_date"], name="invoice_issue_date"),
            models.Index(
                fields=["status", "due_date"],
                include=["total", "amount_paid"],
                condition=models.Q(status__in=["issued", "partially_paid", "overdue"]),
                name="invoice_open",
            ),
            GinIndex(
                OpClass(Upper("customer_name"), name="gin_trgm_ops"), name="invoice_customer_trgm"
            ),
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="invoice_number_trgm"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "period_start"],
                condition=~models.Q(status="void"),
                name="one_invoice_per_customer_period",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__lte=models.F("total")),
                name="invoice_not_overpaid",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft for {self.customer_name}, {self.period_start:%B %Y}"

    def get_absolute_url(self) -> str:
        return reverse("billing:invoice_detail", kwargs={"pk": self.pk})

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid

    @property
    def status_badge_class(self) -> str:
        return INVOICE_BADGES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_INVOICE

    @property
    def days_overdue(self) -> int:
        if self.status != InvoiceStatus.OVERDUE or self.due_date is None:
            return 0
        return max(0, (timezone.localdate() - self.due_date).days)


class InvoiceLine(LineTaxFields, models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=LineKind)
    sub_account = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sub_account_name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=16, decimal_places=3, default=Decimal("1"))
    unit_price = models.DecimalField(max_digits=14, decimal_places=4, default=Decimal("0"))
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    breakdown = models.JSONField(default=list, blank=True, help_text="Usage by tier.")

    class Meta:
        ordering = ["invoice", "position"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against one invoice. A gateway would create these through
    services.payments.payment_record() too (see services.payments.PaymentGateway)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**POSITIVE_MONEY)
    method = models.CharField(max_length=20, choices=PaymentMethod)
    paid_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-paid_on", "-pk"]
        indexes = [
            models.Index(fields=["paid_on"], include=["amount"], name="payment_paid_on_amount"),
            GinIndex(
                OpClass(Upper("reference"), name="gin_trgm_ops"), name="payment_reference_trgm"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "reference"],
                condition=~models.Q(reference=""),
                name="payment_unique_reference",
                violation_error_message="A payment with this reference is already recorded.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.amount} by {self.get_method_display().lower()} on {self.paid_on}"


class InvoiceRun(models.Model):
    """One run of the month's invoicing (a button or the monthly job)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    period = models.DateField(help_text="First day of the month invoiced.")
    status = models.CharField(max_length=10, choices=Status, default=Status.RUNNING)
    issue = models.BooleanField(default=True, help_text="Issue and email the invoices at once.")
    created_count = models.PositiveIntegerField(default=0)
    existing_count = models.PositiveIntegerField(default=0)
    not_due_count = models.PositiveIntegerField(default=0)
    # Progress and summary (services/invoice_runs.py): payers to go through and done so far,
    # emails queued, drafts of the month issued, and customers skipped with the reason.
    notify = models.BooleanField(default=True, help_text="Email the issued invoices.")
    payer_count = models.PositiveIntegerField(default=0)
    processed_count = models.PositiveIntegerField(default=0)
    email_count = models.PositiveIntegerField(default=0)
    drafts_issued_count = models.PositiveIntegerField(default=0)
    skipped = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Invoice run for {self.period:%B %Y}"


class MonthlyCollections(models.Model):
    """Money received per calendar month, kept up to date by
    services.payments.payment_record, so the dashboard's payments chart reads twelve rows
    instead of every payment."""

    month = models.DateField(unique=True, help_text="First day of the month.")
    amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        ordering = ["month"]
        verbose_name_plural = "monthly collections"

    def __str__(self) -> str:
        return f"{self.month:%B %Y}: {self.amount}"
