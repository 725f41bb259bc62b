from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from core.filters import style_filter_form
from core.formats import money_text
from customers.forms import CustomerChoiceField
from customers.models import Customer
from locations.models import Location
from tenants.models import CURRENCY_CHOICES

from . import money
from .models import (
    BillingProfile,
    BillingSettings,
    Metric,
    Payment,
    PaymentMethod,
    Plan,
    Project,
    Subscription,
    TaxTreatment,
)

PROJECT_FIELDS = [
    "customer",
    "name",
    "start_date",
    "end_date",
    "is_cancelled",
    "monthly_fee",
    "contract_value",
    "locations",
    "notes",
]
DATE = forms.DateInput(attrs={"type": "date"})


def money_inputs(form, *names: str) -> None:
    for name in names:
        form.fields[name].widget.attrs.update(min="0", step="0.01", inputmode="decimal")


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "locations": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerChoiceField(user=user, required=True)
        customer_id = self.instance.customer_id or self.initial.get("customer")
        locations = Location.objects.visible_to(user).live()
        self.fields["locations"].queryset = (
            locations.filter(customer_id=customer_id) if customer_id else locations.none()
        )
        self.fields["locations"].help_text = (
            "The customer's sites involved."
            if customer_id
            else "Save the project first, then pick its sites."
        )
        money_inputs(self, "monthly_fee", "contract_value")

    def clean(self):
        cleaned = super().clean()
        customer, locations = cleaned.get("customer"), cleaned.get("locations") or []
        if customer and any(location.customer_id != customer.pk for location in locations):
            self.add_error("locations", "Choose sites of this project's customer.")
        return cleaned


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["name", "description", "monthly_fee", "seat_fee", "max_seats", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        money_inputs(self, "monthly_fee", "seat_fee")


class TierForm(forms.Form):
    metric = forms.ModelChoiceField(queryset=Metric.objects.all(), required=False)
    up_to = forms.DecimalField(
        required=False, min_value=Decimal("0.001"), decimal_places=3, max_digits=16
    )
    unit_price = forms.DecimalField(
        required=False, min_value=Decimal("0"), decimal_places=4, max_digits=14
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].widget.attrs["class"] = "form-select form-select-sm"
        for name in ("up_to", "unit_price"):
            self.fields[name].widget.attrs.update(
                {"class": "form-control form-control-sm", "step": "any", "inputmode": "decimal"}
            )
        self.fields["up_to"].widget.attrs["placeholder"] = "and above"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("metric") and cleaned.get("unit_price") is None:
            self.add_error("unit_price", "Give the price per unit.")
        if cleaned.get("unit_price") is not None and not cleaned.get("metric"):
            self.add_error("metric", "Choose what this tier measures.")
        return cleaned


class BaseTierFormSet(forms.BaseFormSet):
    def tiers(self) -> list[dict]:
        return [
            {
                "metric": form.cleaned_data["metric"],
                "up_to": form.cleaned_data.get("up_to"),
                "unit_price": form.cleaned_data["unit_price"],
            }
            for form in self.forms
            if form.cleaned_data.get("metric") and not form.cleaned_data.get("DELETE")
        ]

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for tier in self.tiers():
            key = (tier["metric"].pk, tier["up_to"])
            if key in seen:
                raise forms.ValidationError(
                    f"Two {tier['metric']} tiers have the same limit; each limit once."
                )
            seen.add(key)


# absolute_max: a posted TOTAL_FORMS beyond 30 is refused at once; Django's default (max_num
# + 1,000) would build and render 1,030 tier forms for one hostile request.
TierFormSet = forms.formset_factory(
    TierForm,
    formset=BaseTierFormSet,
    extra=3,
    can_delete=True,
    max_num=30,
    validate_max=True,
    absolute_max=30,
)


class SubscriptionForm(forms.ModelForm):
    class Meta:
        model = Subscription
        fields = ["customer", "plan", "seats", "start_date", "anchor_day", "trial_end"]
        widgets = {"start_date": DATE, "trial_end": DATE}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerChoiceField(user=user, required=True)
        self.fields["plan"].queryset = Plan.objects.filter(is_active=True)
        self.fields["start_date"].initial = timezone.localdate()


class SubscriptionChangeForm(forms.Form):
    plan = forms.ModelChoiceField(queryset=Plan.objects.filter(is_active=True))
    seats = forms.IntegerField(min_value=1, max_value=1_000_000)
    effective_from = forms.DateField(
        widget=DATE, help_text="Days before keep the old terms; the next invoice prorates."
    )

    def __init__(self, *args, user=None, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None:
            self.fields["plan"].queryset = Plan.objects.filter(
                is_active=True
            ) | Plan.objects.filter(pk=instance.plan_id)
            self.initial.setdefault("plan", instance.plan_id)
            self.initial.setdefault("seats", instance.seats)
        self.initial.setdefault("effective_from", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        plan, seats = cleaned.get("plan"), cleaned.get("seats")
        if plan and seats and plan.max_seats and seats > plan.max_seats:
            self.add_error("seats", f"The {plan} plan allows at most {plan.max_seats} seats.")
        return cleaned


class SubscriptionCancelForm(forms.Form):
    on = forms.DateField(label="Last day", widget=DATE, help_text="Billed up to and including.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


class UsageForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none())
    metric = forms.ModelChoiceField(queryset=Metric.objects.all())
    day = forms.DateField(widget=DATE)
    quantity = forms.DecimalField(min_value=Decimal("0"), decimal_places=3, max_digits=16)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerChoiceField(user=user, required=True)
        self.initial.setdefault("day", timezone.localdate())
        self.fields["quantity"].widget.attrs.update(step="any", inputmode="decimal")


class PaymentForm(forms.ModelForm):
    # What the money came in: the service refuses another currency than the invoice's (it
    # must be converted first), and says so on this field.
    currency = forms.ChoiceField(
        choices=CURRENCY_CHOICES, required=False, help_text="The invoice's currency unless told."
    )

    class Meta:
        model = Payment
        fields = ["amount", "currency", "method", "paid_on", "reference"]
        widgets = {"paid_on": DATE}
        help_texts = {"reference": "Bank reference, cheque number… (each reference once)."}

    def __init__(self, *args, invoice=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        money_inputs(self, "amount")
        self.initial.setdefault("paid_on", timezone.localdate())
        self.initial.setdefault("method", PaymentMethod.BANK_TRANSFER)
        if invoice is not None:
            self.initial.setdefault("amount", invoice.balance)
            self.initial.setdefault("currency", invoice.currency)
            if invoice.currency not in dict(CURRENCY_CHOICES):
                self.fields["currency"].choices = [
                    (invoice.currency, invoice.currency),
                    *CURRENCY_CHOICES,
                ]
            self.fields[
                "amount"
            ].help_text = f"Balance: {money_text(invoice.balance, invoice.currency)}."


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=300, widget=forms.TextInput)
    recompute = forms.BooleanField(
        required=False,
        initial=True,
        label="Draft a replacement from current records",
        help_text="Usage, plan and projects are read again for the same period.",
    )


def month_choices(today: date, count: int = 24) -> list[tuple[str, str]]:
    first = today.replace(day=1)
    return [
        (m.isoformat(), f"{m:%B %Y}")
        for m in (money.add_months(first, -offset) for offset in range(count))
    ]


class InvoiceRunForm(forms.Form):
    month = forms.DateField(
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "Enter a month as YYYY-MM."},
    )
    issue = forms.BooleanField(
        required=False,
        initial=False,
        label="Issue the invoices (numbered and final); leave unticked to make drafts to review",
    )
    notify = forms.BooleanField(
        required=False,
        initial=False,
        label="Email each customer their invoice with its PDF",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("month", money.add_months(timezone.localdate().replace(day=1), -1))

    def clean_month(self):
        from django.core.exceptions import ValidationError

        from .services.invoicing import validate_run_month

        month = self.cleaned_data["month"].replace(day=1)
        try:
            validate_run_month(month)
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return month

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("notify") and not cleaned.get("issue"):
            self.add_error("notify", "Only issued invoices are emailed: tick “Issue” as well.")
        return cleaned


class DraftRunIssueForm(forms.Form):
    notify = forms.BooleanField(
        required=False,
        initial=False,
        label="Email each customer their invoice with its PDF",
    )


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = [
            "payment_terms_days",
            "suspend_after_days",
            "tax_rate",
            "invoice_prefix",
            "commission_basis",
        ]
        # Payment instructions moved to the seller profile (forms_tax.SellerProfileForm).
        labels = {"tax_rate": "Flat tax rate (%) while no tax rates are set"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Forms that leave it out (older clients of this page) keep the tenant's choice.
        self.fields["commission_basis"].required = False
        self.fields["commission_basis"].widget = forms.RadioSelect(
            choices=self.fields["commission_basis"].choices[1:]
        )

    def clean_commission_basis(self) -> str:
        return self.cleaned_data.get("commission_basis") or self.instance.commission_basis

    def clean_invoice_prefix(self) -> str:
        """Capitals, no spaces: numbers stay easy to read out and to search for."""
        prefix = self.cleaned_data["invoice_prefix"].strip().upper()
        if any(character.isspace() for character in prefix):
            raise forms.ValidationError("Use letters, digits and dashes without spaces.")
        return prefix


class BillingProfileForm(forms.ModelForm):
    class Meta:
        model = BillingProfile
        fields = [
            "is_reseller",
            "commission_rate",
            "consolidated_billing",
            "payment_method_label",
            "tax_id",
            "tax_treatment",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tax_treatment"].required = False  # empty: standard
        self.fields["commission_rate"].widget.attrs.update(step="0.01", min="0", max="100")
        self.fields["commission_rate"].required = False

    def clean_commission_rate(self):
        return self.cleaned_data.get("commission_rate") or Decimal("0")

    def clean_tax_id(self) -> str:
        return " ".join(self.cleaned_data.get("tax_id", "").split()).upper()

    def clean_tax_treatment(self) -> str:
        return self.cleaned_data.get("tax_treatment") or TaxTreatment.STANDARD


class CommissionReportForm(forms.Form):
    """Empty reseller: every reseller's totals; month: the current one unless chosen."""

    reseller = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, empty_label="All resellers"
    )
    month = forms.ChoiceField(choices=())

    def __init__(self, data=None, *args, user, **kwargs):
        data = data.copy() if data else {}
        data.setdefault("month", timezone.localdate().replace(day=1).isoformat())
        super().__init__(data, *args, **kwargs)
        self.fields["reseller"].queryset = Customer.objects.visible_to(user).filter(
            billing_profile__is_reseller=True
        )
        self.fields["month"].choices = month_choices(timezone.localdate())
        style_filter_form(self)
