from django import forms

from customers.forms import CustomerChoiceField
from locations.models import Location

from .models import Project

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


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
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
        for name in ("monthly_fee", "contract_value"):
            self.fields[name].widget.attrs.update(min="0", step="0.01")

    def clean(self):
        cleaned = super().clean()
        customer, locations = cleaned.get("customer"), cleaned.get("locations") or []
        if customer and any(location.customer_id != customer.pk for location in locations):
            self.add_error("locations", "Choose sites of this project's customer.")
        return cleaned
