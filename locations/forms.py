from django import forms

from core.widgets import FastSelect
from customers.forms import CustomerChoiceField
from fields.forms import CustomFieldsFormMixin

from .models import Location

LOCATION_FIELDS = [
    "customer",
    "name",
    "location_type",
    "status",
    "address_line1",
    "address_line2",
    "postal_code",
    "city",
    "state",
    "country",
    "notes",
]


class LocationForm(CustomFieldsFormMixin, forms.ModelForm):
    custom_field_kind = "location"

    class Meta:
        model = Location
        fields = [*LOCATION_FIELDS, "custom_field_data"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Moving a location to another customer is its own, recorded action.
            del self.fields["customer"]
        else:
            self.fields["customer"] = CustomerChoiceField(
                user=user, required=True, label="Customer"
            )
        self.fields["country"].widget = FastSelect(choices=self.fields["country"].choices)
        self.add_custom_fields()


class LocationMoveForm(forms.Form):
    def __init__(self, *args, user, location, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerChoiceField(
            user=user, required=True, label="New customer", exclude_id=location.customer_id
        )
