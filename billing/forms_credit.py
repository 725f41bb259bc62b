"""Forms of credit notes and of applying customer credit. Amounts and quantities arrive as
text and are checked by the services (billing.services.credit_notes), so a bad value is the
service's clear message on its field and nothing is written."""

from __future__ import annotations

from django import forms

from core.formats import money_text

from . import money
from .models import Invoice

MODES = [
    ("full", "Everything still due"),
    ("amount", "An amount (tax included, split like the invoice's tax)"),
    ("lines", "Chosen lines and quantities"),
]


class CreditNoteForm(forms.Form):
    mode = forms.ChoiceField(choices=MODES, initial="amount", widget=forms.RadioSelect)
    amount = forms.CharField(
        required=False, max_length=30, help_text="For “An amount”: what the invoice is reduced by."
    )
    reason = forms.CharField(
        max_length=300, widget=forms.TextInput, help_text="Printed on the credit note."
    )

    def __init__(self, *args, invoice: Invoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        self.fields["amount"].widget.attrs.update(inputmode="decimal")
        self.fields["mode"].choices = [
            (
                "full",
                f"Everything still due ({money_text(invoice.balance, invoice.currency)})",
            ),
            *MODES[1:],
        ]
        self.line_fields = []
        for line in invoice.lines.all():
            name = f"line_{line.pk}"
            self.fields[name] = forms.CharField(
                required=False,
                max_length=30,
                label=f"{line.description} (of {money.plain(line.quantity)})",
                help_text="For “Chosen lines”: the quantity to credit.",
            )
            self.fields[name].widget.attrs.update(inputmode="decimal")
            self.line_fields.append((name, line.pk))

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        mode = data["mode"]
        arguments = {"reason": data["reason"]}
        if mode == "full":
            arguments["full"] = True
        elif mode == "amount":
            if not (data.get("amount") or "").strip():
                self.add_error("amount", "Enter the amount to credit.")
                return {}
            arguments["amount"] = data["amount"]
        else:
            arguments["lines"] = {
                pk: data[name] for name, pk in self.line_fields if (data.get(name) or "").strip()
            }
            if not arguments["lines"]:
                self.add_error(None, "Enter a quantity for at least one line.")
                return {}
        return arguments


class ApplyCreditForm(forms.Form):
    amount = forms.CharField(
        required=False,
        max_length=30,
        help_text="Empty: as much as the credit and the balance allow.",
    )
