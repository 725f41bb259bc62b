"""Forms of the seller profile and the tenant's tax rates."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .models_tax import SellerProfile, TaxRate

SELLER_FIELDS = [
    "legal_name",
    "address",
    "tax_id",
    "contact_email",
    "contact_phone",
    "logo",
    "payment_instructions",
    "email_from_name",
    "email_reply_to",
]  # how numbers are written is the workspace's locale now (Tenant.locale, core.formats)
TAX_RATE_FIELDS = ["name", "rate", "country", "is_active"]
LOGO_MAX_BYTES = 1024 * 1024


class SellerProfileForm(forms.ModelForm):
    class Meta:
        model = SellerProfile
        fields = SELLER_FIELDS
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "payment_instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].widget.attrs.update(accept="image/png,image/jpeg")

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo may be at most 1 MB.")
        return logo


class TaxRateForm(forms.ModelForm):
    rate = forms.DecimalField(
        label="Rate (%)",
        max_digits=6,
        decimal_places=3,
        widget=forms.NumberInput(attrs={"step": "0.001", "min": "0", "max": "100"}),
    )

    class Meta:
        model = TaxRate
        fields = TAX_RATE_FIELDS

    def clean_rate(self) -> Decimal:
        rate = self.cleaned_data["rate"]
        if not (Decimal("0") <= rate <= Decimal("100")):
            raise forms.ValidationError("A tax rate is between 0 and 100 %.")
        return rate


# A form claiming more rows than this is refused, and never built (or drawn) row by row.
TAX_RATES_MAX = 500
TaxRateFormSet = forms.modelformset_factory(
    TaxRate,
    form=TaxRateForm,
    fields=TAX_RATE_FIELDS,
    extra=1,
    can_delete=False,
    max_num=TAX_RATES_MAX,
    absolute_max=TAX_RATES_MAX,
    validate_max=True,
)
