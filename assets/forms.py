from django import forms

from billing.models import Project
from core.scope import scope_for
from core.widgets import AutocompleteSelect
from customers.forms import CustomerChoiceField
from fields.forms import CustomFieldsFormMixin
from locations.models import Location

from .models import Asset, AssetStatus
from .services import ASSET_OUT_OF_REACH, BULK_ACTIONS

ASSET_FIELDS = [
    "name",
    "serial_number",
    "model_name",
    "category",
    "status",
    "owner",
    "location",
    "project",
    "purchase_date",
    "value",
    "notes",
]


class LocationChoiceField(forms.ModelChoiceField):
    """Pick a location of a customer the user may see; archived ones when searched for."""

    def __init__(self, *, user, label="Location", required=False, help_text="", **kwargs):
        queryset = Location.objects.visible_to(user)
        widget = AutocompleteSelect("locations:location_autocomplete")
        widget.label_for = lambda pk: next(
            (
                f"{name} ({customer})"
                for name, customer in queryset.filter(pk=pk).values_list("name", "customer__name")
            ),
            "",
        )
        super().__init__(
            queryset=queryset,
            required=required,
            widget=widget,
            label=label,
            help_text=help_text,
            error_messages={
                "invalid_choice": "Choose a location from the list.",
                "required": "Choose a location from the list.",
            },
            **kwargs,
        )


class AssetForm(CustomFieldsFormMixin, forms.ModelForm):
    custom_field_kind = "asset"

    class Meta:
        model = Asset
        fields = [*ASSET_FIELDS, "custom_field_data"]
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "purchase_date": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A limited staff user's asset stays in their reach (assets.services checks it).
        limited = scope_for(user).is_limited
        self.fields["owner"] = CustomerChoiceField(
            user=user,
            label="Owner",
            help_text=ASSET_OUT_OF_REACH
            if limited
            else "Empty: the asset belongs to your business.",
        )
        self.fields["location"] = LocationChoiceField(
            user=user, help_text="Where it is now; may be another customer's site."
        )
        self.fields["project"].queryset = Project.objects.visible_to(user).filter(
            customer__deleted_at__isnull=True
        )
        self.fields["value"].widget.attrs.update(min="0", step="0.01")
        self.add_custom_fields()


class AssetBulkForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Choose an action…"), *BULK_ACTIONS.items()])
    status = forms.ChoiceField(choices=[("", "New status…"), *AssetStatus.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"] = LocationChoiceField(user=user, label="New location")
        self.fields["asset_ids"] = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def clean_asset_ids(self):
        return self.cleaned_data.get("asset_ids") or []

    def full_clean(self):
        ids = self.data.getlist("asset_ids") if hasattr(self.data, "getlist") else []
        self.fields["asset_ids"].choices = [(value, value) for value in ids if str(value).isdigit()]
        super().full_clean()
