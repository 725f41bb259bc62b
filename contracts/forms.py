from django import forms

from activity.markdown import staff_users
from billing.forms import DATE, money_inputs
from customers.forms import CustomerChoiceField
from tickets.models_sla import SlaPolicy

from .models import Contract
from .services import EDITABLE


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = ["customer", *EDITABLE]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["customer"]  # a contract stays with its company
        else:
            self.fields["customer"] = CustomerChoiceField(user=user, required=True)
            self.order_fields(["customer", *EDITABLE])
        self.fields["owner"].queryset = staff_users().order_by("first_name", "last_name", "email")
        self.fields["owner"].empty_label = "Nobody (the managers get the reminder)"
        self.fields["sla_policy"].queryset = SlaPolicy.objects.order_by("name")
        self.fields["sla_policy"].empty_label = "The company's usual service level"
        money_inputs(self, "value", "overage_rate")
        self.fields["hours_included"].widget.attrs.update(min="0.25", step="0.25")

    def _post_clean(self):
        pass  # the service validates (contracts.services.check_terms), with the actor's scope


class TerminateForm(forms.Form):
    on = forms.DateField(
        label="Ends on",
        widget=DATE,
        required=False,
        help_text="Empty: at the end of the current term (no renewal).",
    )
    reason = forms.CharField(label="Why", max_length=200, help_text="Kept in the history.")


class SignedCopyForm(forms.Form):
    file = forms.FileField(label="File", help_text="PDF or image, checked like documents.")
