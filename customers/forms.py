from django import forms
from django.db import models
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from core.scope import scope_for
from core.widgets import AutocompleteSelect, FastSelect
from fields.forms import CustomFieldsFormMixin

from .models import Customer
from .models_contacts import PEOPLE_FIELDS
from .services import NEW_TOP_LEVEL_REFUSED

COMPANY_FIELDS = [
    "name",
    "industry",
    "business_type",
    "status",
    "website",
    "description",
    "parent",
    "customer_since",
]
CONTACT_FIELDS = [
    "company_email",
    "company_phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
]
BILLING_FIELDS = [
    "billing_address_line1",
    "billing_address_line2",
    "billing_city",
    "billing_state",
    "billing_postal_code",
    "billing_country",
]
# The wizard's primary and billing contact are form fields, saved as contacts.
PHONE_FIELDS = tuple(name for name in PEOPLE_FIELDS if name.endswith("_phone"))
EXTRA_FIELDS = ["custom_field_data", "internal_notes", "external_id"]
EDITABLE_FIELDS = COMPANY_FIELDS + CONTACT_FIELDS + BILLING_FIELDS + EXTRA_FIELDS


def https_urls(db_field, **kwargs):
    """A website typed without a scheme becomes https://… (Django 6's default, today)."""
    if isinstance(db_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return db_field.formfield(**kwargs)


class CustomerChoiceField(forms.ModelChoiceField):
    """Pick a customer the user may see, with the autocomplete widget (archived customers are
    offered when searched for; deleted ones never)."""

    def __init__(
        self, *, user, exclude_id=None, label="Customer", help_text="", required=False, **kwargs
    ):
        queryset = Customer.objects.visible_to(user)
        if exclude_id is not None:
            queryset = queryset.exclude(pk=exclude_id)
        widget = AutocompleteSelect("customers:customer_autocomplete")
        widget.exclude_id = exclude_id
        widget.label_for = lambda pk: (
            queryset.filter(pk=pk).values_list("name", flat=True).first() or ""
        )
        super().__init__(
            queryset=queryset,
            required=required,
            widget=widget,
            label=label,
            help_text=help_text,
            error_messages={
                "invalid_choice": "Choose a customer from the list.",
                "required": "Choose a customer from the list.",
            },
            **kwargs,
        )


NEW_CUSTOMER_PARENT_HELP = (
    "You see only the customers assigned to you: a new customer goes below one of them, as "
    "its sub-account."
)


def require_reachable_parent(form, user) -> None:
    """A staff user limited to assigned customers adds a customer only below one of theirs
    (``customers.services.customer_create`` refuses anything else): the parent is required
    and the form says why."""
    if scope_for(user).is_limited:
        if "parent" not in form.fields:
            form.fields["parent"] = CustomerChoiceField(user=user, label="Parent customer")
        field = form.fields["parent"]
        field.required = True
        field.help_text = NEW_CUSTOMER_PARENT_HELP
        field.error_messages["required"] = NEW_TOP_LEVEL_REFUSED


class CustomerFormMixin(CustomFieldsFormMixin):
    """Shared set-up: the parent picker is scoped by the policy layer; the tenant's custom
    fields and tags (fields.forms) where the form has the custom fields."""

    custom_field_kind = "customer"

    def setup_fields(self, user, exclude_id=None):
        if "parent" in self.fields:
            self.fields["parent"] = CustomerChoiceField(
                user=user,
                exclude_id=exclude_id,
                label="Parent customer",
                help_text="For subsidiaries, departments or an agency's clients.",
            )
        if "custom_field_data" in self.fields:
            self.add_custom_fields()
        if "website" in self.fields:
            self.fields["website"].widget.attrs["placeholder"] = "https://example.com"
        if "customer_since" in self.fields:
            # Left empty: the day it was added (a new customer) or as it was (an edit).
            field = self.fields["customer_since"]
            field.required, field.show_hidden_initial = False, False
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        for name in ("country", "billing_country"):
            if name in self.fields:
                self.fields[name].widget = FastSelect(choices=self.fields[name].choices)
        for name in ("company_phone", *PHONE_FIELDS):
            if name in self.fields:
                # Shown in international form, the way it is stored.
                self.fields[name].widget = forms.TextInput(
                    attrs={"placeholder": "+1 202 555 0100", "type": "tel", "autocomplete": "tel"}
                )
                self.fields[name].help_text = "With the country code, e.g. +44 20 7946 0000."

    def clean_customer_since(self):
        return self.cleaned_data.get("customer_since") or (
            self.instance.customer_since if self.instance.pk else timezone.localdate()
        )


class CustomerForm(CustomerFormMixin, forms.ModelForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "This form is out of date or damaged: reload the page and try again.",
            "required": "This form is out of date or damaged: reload the page and try again.",
        },
    )

    class Meta:
        model = Customer
        fields = EDITABLE_FIELDS
        formfield_callback = https_urls
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "internal_notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields(user, exclude_id=self.instance.pk)
        self.fields["version"].initial = self.instance.version


class CompanyStepForm(CustomerFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = COMPANY_FIELDS
        formfield_callback = https_urls
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields(user)
        require_reachable_parent(self, user)


class ContactStepForm(CustomerFormMixin, forms.ModelForm):
    """The company's address and the people to talk to: the primary and billing contact
    become contacts with those roles (``services_contacts.contacts_from_customer_fields``)."""

    contact_name = forms.CharField(label="Primary contact", max_length=150, required=False)
    contact_email = forms.EmailField(label="Contact email", required=False)
    contact_phone = PhoneNumberField(label="Contact phone", required=False)
    billing_contact_name = forms.CharField(label="Billing contact", max_length=150, required=False)
    billing_email = forms.EmailField(label="Billing email", required=False)
    billing_phone = PhoneNumberField(label="Billing phone", required=False)

    class Meta:
        model = Customer
        fields = CONTACT_FIELDS + BILLING_FIELDS

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields(user)


class ExtrasStepForm(CustomerFormMixin, forms.ModelForm):
    class Meta:
        model = Customer
        fields = EXTRA_FIELDS
        widgets = {"internal_notes": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_fields(user)


class AdminStepForm(forms.Form):
    """Optional: the customer's first portal admin, invited by email when the customer is saved."""

    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(
        max_length=254, required=False, help_text="They get a one-time link to choose a password."
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        given = [cleaned.get(name) for name in ("first_name", "last_name", "email")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                "To invite an admin, give first name, last name and email; or leave all three empty."
            )
        email = cleaned.get("email")
        if email:
            from accounts.models import User

            if User.objects.filter(email__iexact=email).exists():
                self.add_error("email", "Someone already uses this email address here.")
        return cleaned


class ReviewStepForm(forms.Form):
    """Last step: shows everything and, if there are likely duplicates, asks to confirm."""

    confirm_not_duplicate = forms.BooleanField(
        required=False, label="This is a different company; create it anyway."
    )

    def __init__(self, *args, duplicates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = list(duplicates)

    def clean(self):
        cleaned = super().clean()
        if self.duplicates and not cleaned.get("confirm_not_duplicate"):
            raise forms.ValidationError(
                "This looks like a customer you already have. Open it, or confirm that this "
                "is a different company."
            )
        return cleaned


class QuickAddForm(forms.ModelForm):
    """A name is all it takes; a staff user limited to assigned customers also picks the
    parent, one of theirs (as the wizard asks them)."""

    confirm_not_duplicate = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Customer
        fields = ["name"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        require_reachable_parent(self, user)


class LinkedAccountForm(forms.Form):
    provider = forms.CharField(max_length=50)
    kind = forms.ChoiceField(choices=[("organization", "Organization"), ("account", "Account")])
    external_id = forms.CharField(max_length=100, label="External ID")
    name = forms.CharField(max_length=200, required=False)


def restore_form_choices(record, current) -> list[tuple[str, str]]:
    """Fields whose value in ``record`` differs from the customer now, as checkbox choices."""
    from core.history import field_label

    from .services import restorable_fields

    return [
        (field, field_label(Customer, field))
        for field in restorable_fields()
        if getattr(record, field) != getattr(current, field)
    ]


class RestoreFieldsForm(forms.Form):
    fields = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, label="Fields to restore"
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fields"].choices = choices
