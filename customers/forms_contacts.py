"""Forms and list filters of contacts and contact roles."""

from __future__ import annotations

import django_filters
from django import forms

from core.filters import ArchivableFilterSet, search_filter
from fields.filters import CustomFieldFilterMixin
from fields.forms import TAGS_FIELD, CustomFieldsFormMixin

from .forms import CustomerChoiceField
from .models_contacts import Contact, ContactRole, PreferredChannel
from .services_contacts import CONTACT_FIELDS, CUSTOM_FIELDS, INVITE_ROLES

PHONE_ATTRS = {"placeholder": "+1 202 555 0100", "type": "tel", "autocomplete": "tel"}


class RoleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *, instance=None, **kwargs):
        roles = ContactRole.objects.live()
        if instance is not None and instance.pk:
            # An archived role the contact still has stays ticked (and can be unticked).
            roles = ContactRole.objects.filter(
                pk__in=[*roles.values_list("pk", flat=True), *instance.roles.values("pk")]
            )
        super().__init__(
            queryset=roles.order_by("order", "name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            error_messages={"invalid_choice": "Choose roles from the list."},
            **kwargs,
        )


class ContactForm(CustomFieldsFormMixin, forms.ModelForm):
    """A contact's fields, roles, custom fields and tags; on a new contact, its customer."""

    custom_field_kind = "contact"

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "other_emails": forms.TextInput(attrs={"placeholder": "a@example.com, b@example.com"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields = {
                "customer": CustomerChoiceField(user=user, required=True, label="Customer"),
                **self.fields,
            }
        self.fields["roles"] = RoleChoiceField(instance=self.instance, label="Roles")
        if self.instance.pk:
            self.initial["roles"] = list(self.instance.roles.values_list("pk", flat=True))
        for name in ("phone", "mobile"):
            self.fields[name].widget = forms.TextInput(attrs=dict(PHONE_ATTRS))
            self.fields[name].help_text = "With the country code, e.g. +44 20 7946 0000."
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.add_custom_fields()

    def _post_clean(self):
        # The service validates the whole contact (full_clean) and says what is wrong; the
        # form does not build an instance of its own.
        pass

    def service_data(self) -> tuple[dict, list, list]:
        """The contact's fields (custom ones included), its roles and its tags."""
        data = {name: self.cleaned_data[name] for name in [*CONTACT_FIELDS, *CUSTOM_FIELDS]}
        return data, list(self.cleaned_data.get("roles") or []), list(self.cleaned_data[TAGS_FIELD])


class ContactRoleForm(forms.ModelForm):
    class Meta:
        model = ContactRole
        fields = ["name", "order"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        pass


class ContactInviteForm(forms.Form):
    role = forms.ChoiceField(
        choices=INVITE_ROLES,
        label="Portal role",
        help_text="They get an email with a one-time link to choose their password.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ContactFilterSet(CustomFieldFilterMixin, ArchivableFilterSet):
    custom_field_kind = "contact"
    q = search_filter("Search name, email, phone…")
    customer_id = django_filters.NumberFilter(field_name="customer_id", widget=forms.HiddenInput)
    role = django_filters.ModelChoiceFilter(
        queryset=ContactRole.objects.order_by("order", "name"),
        field_name="roles",
        empty_label="Any role",
        label="Role",
    )
    preferred_channel = django_filters.ChoiceFilter(
        choices=PreferredChannel.choices, empty_label="Any channel", label="Channel"
    )

    class Meta:
        model = Contact
        fields = ["q", "customer_id", "role", "preferred_channel"]
