from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from phonenumber_field.formfields import PhoneNumberField

from accounts.forms import PASSWORD_HELP, PASSWORD_HINTS
from accounts.models import User
from customers.models import Customer
from locations.models import Location

from .domain_names import display_domain, is_public_email_domain, normalize_domain
from .models import (
    ADMIN_ONLY_PERMISSIONS,
    CompanyProfile,
    PermissionSet,
    PortalPermission,
    PortalRole,
    PortalSection,
)
from .policies import assignable_portal_roles
from .services import COMPANY_DETAILS_FIELDS, COMPANY_PROFILE_FIELDS, customer_user_create

MAX_LOGO_BYTES = 512 * 1024


class RoleFieldsMixin:
    """Role, the sections of a Limited user and the permission set of a Custom one."""

    def add_role_fields(self, actor, customer: Customer):
        self.fields["role"] = forms.ChoiceField(
            choices=assignable_portal_roles(actor), initial=PortalRole.READ_ONLY
        )
        self.fields["sections"] = forms.MultipleChoiceField(
            choices=PortalSection.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="For Limited users: the sections they may see (read-only).",
        )
        self.fields["permission_set"] = forms.ModelChoiceField(
            queryset=PermissionSet.objects.filter(customer=customer),
            required=False,
            help_text="For Custom users: a permission set defined under Users → Permission sets.",
        )


class CustomerUserInviteForm(RoleFieldsMixin, forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(max_length=254)

    def __init__(self, *args, actor, customer, allow_password: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_role_fields(actor, customer)
        if allow_password:
            self.fields["password"] = forms.CharField(
                required=False,
                widget=forms.PasswordInput(
                    attrs={"data-password-hints": "true", "autocomplete": "new-password"}
                ),
                help_text="Leave empty to send an invitation instead (recommended). "
                + PASSWORD_HELP,
            )
            self.password_hints = PASSWORD_HINTS

    def create_customer_user(self, *, customer, actor, base_url: str):
        """The invitation this form describes, through the portal's service (console and
        portal alike); a service error is the caller's to show on the form."""
        data = self.cleaned_data
        return customer_user_create(
            customer=customer,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
            sections=data.get("sections"),
            permission_set=data.get("permission_set"),
            password=data.get("password") or None,
            actor=actor,
            base_url=base_url,
        )

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if password:
            # The person being invited, unsaved: the validators compare the password with
            # their email and names (a stand-in without ``_meta`` made that a 500).
            invitee = User(
                email=str(self.data.get("email", "")),
                first_name=str(self.data.get("first_name", "")),
                last_name=str(self.data.get("last_name", "")),
            )
            password_validation.validate_password(password, invitee)
        return password


class RoleChangeForm(RoleFieldsMixin, forms.Form):
    def __init__(self, *args, actor, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_role_fields(actor, customer)


class PermissionSetForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=[c for c in PortalPermission.choices if c[0] not in ADMIN_ONLY_PERMISSIONS],
        widget=forms.CheckboxSelectMultiple,
        help_text="Managing users stays with the customer admin role.",
    )

    class Meta:
        model = PermissionSet
        fields = ["name", "permissions"]

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = PermissionSet.objects.filter(customer=self.customer, name__iexact=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise ValidationError("This company already has a permission set with that name.")
        return name


PRIMARY_CONTACT_FIELDS = ["contact_name", "contact_email", "contact_phone"]


class CompanyDetailsForm(forms.ModelForm):
    # The customer's version when the page was opened: a save over someone else's newer
    # change is refused (portal.services.company_settings_update). Optional, so a form
    # posted without it saves over the current version, as before.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The company's primary contact (one of its contacts, with the Primary role).
    contact_name = forms.CharField(label="Primary contact", max_length=150, required=False)
    contact_email = forms.EmailField(label="Contact email", required=False)
    contact_phone = PhoneNumberField(label="Contact phone", required=False)

    class Meta:
        model = Customer
        fields = COMPANY_DETAILS_FIELDS

    def __init__(self, *args, primary_contact=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["company_email", "company_phone", *PRIMARY_CONTACT_FIELDS])
        self.fields["version"].initial = self.instance.version
        if primary_contact is not None:
            self.fields["contact_name"].initial = primary_contact.name
            self.fields["contact_email"].initial = primary_contact.email
            self.fields["contact_phone"].initial = primary_contact.phone
        from core.widgets import FastSelect

        self.fields["country"].widget = FastSelect(choices=self.fields["country"].choices)
        for name in ("company_phone", "contact_phone"):
            self.fields[name].widget = forms.TextInput(
                attrs={"type": "tel", "placeholder": "+1 202 555 0100"}
            )


class CompanyProfileForm(forms.ModelForm):
    class Meta:
        model = CompanyProfile
        fields = COMPANY_PROFILE_FIELDS
        widgets = {"accent_colour": forms.TextInput(attrs={"type": "color"})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and hasattr(logo, "size") and logo.size > MAX_LOGO_BYTES:
            raise ValidationError("The logo must be 512 KB or smaller.")
        return logo

    def clean_usage_alert_percent(self):
        value = self.cleaned_data["usage_alert_percent"]
        if not 1 <= value <= 100:
            raise ValidationError("Choose a threshold between 1 and 100 %.")
        return value


class CompanyTwoFactorForm(forms.Form):
    """The company's sign-in rule for its users (``portal.security.company_two_factor_set``)."""

    require_two_factor = forms.BooleanField(
        label="Require two-factor authentication for our users",
        required=False,
        help_text=CompanyProfile._meta.get_field("require_two_factor").help_text,
    )
    reason = forms.CharField(
        label="Reason (kept in the company's history)",
        required=False,
        max_length=60,
        help_text='Optional, e.g. "Our insurer asks for it".',
    )


class PortalLocationForm(forms.ModelForm):
    class Meta:
        model = Location
        fields = ["name", "address_line1", "address_line2", "postal_code", "city", "state", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class JoinForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(label="Work email", max_length=254)


class DomainForm(forms.Form):
    """An email domain a company claims (it is verified afterwards)."""

    domain = forms.CharField(
        max_length=300,
        help_text="The company's own email domain, e.g. acme.com (not a webmail service).",
    )

    def clean_domain(self):
        domain = normalize_domain(self.cleaned_data["domain"])
        if is_public_email_domain(domain):
            raise ValidationError(
                f"{display_domain(domain)} is a public email service: anyone can get an "
                "address there, so no company can claim it. Use your company's own domain."
            )
        return domain
