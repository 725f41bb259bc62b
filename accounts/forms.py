"""Password forms that show the complexity hints next to the password field; the team's,
the workspace settings' and the API tokens' forms."""

from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import ResetPasswordKeyForm
from allauth.account.forms import SetPasswordForm as AllauthSetPasswordForm
from django import forms
from django_tenants.utils import get_tenant_model

from .models import SecurityPolicy, StaffRole, User

PASSWORD_HINTS = [
    ("length", "At least 8 characters"),
    ("upper", "Uppercase letters (A–Z)"),
    ("lower", "Lowercase letters (a–z)"),
    ("digit", "Numbers (0–9)"),
    ("special", "Special characters (@, #, $, …)"),
]
PASSWORD_HELP = (
    "At least 8 characters, not only numbers, and hard to guess: common passwords, your name "
    "or email, the names of your company, this workspace or the product, and predictable "
    "additions such as a year or “123!” are refused. A few unrelated words work well."
)


class PasswordHintsMixin:
    """Marks the new-password field so the template shows the live complexity checklist."""

    new_password_field = "password1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields[self.new_password_field]
        field.help_text = PASSWORD_HELP
        field.widget.attrs.update({"data-password-hints": "true", "autocomplete": "new-password"})
        self.password_hints = PASSWORD_HINTS


class SetPasswordFromKeyForm(PasswordHintsMixin, ResetPasswordKeyForm):
    pass


class ChangePasswordForm(PasswordHintsMixin, AllauthChangePasswordForm):
    pass


class SetPasswordForm(PasswordHintsMixin, AllauthSetPasswordForm):
    pass


class StaffInviteForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        self.fields["role"].required = True
        self.fields["role"].choices = StaffRole.choices

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Someone in this workspace already uses this email address."
            )
        return email


class StaffRoleForm(forms.Form):
    """A team member's role and active flag; the rules (only the owner, never yourself, the
    last owner) are ``accounts.services.staff_update``'s."""

    role = forms.ChoiceField(choices=StaffRole.choices)
    is_active = forms.BooleanField(
        label="Active",
        required=False,
        help_text=User._meta.get_field("is_active").help_text,
    )


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = get_tenant_model()
        fields = ["name", "currency", "locale", "timezone", "soft_delete_grace_days"]
        labels = {"name": "Workspace name"}


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “CRM sync”.")
    expires_in_days = forms.TypedChoiceField(
        label="Expires",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "Never"), (30, "In 30 days"), (90, "In 90 days"), (365, "In a year")],
    )


class SecurityPolicyForm(forms.Form):
    require_two_factor_for_staff = forms.BooleanField(
        label=SecurityPolicy._meta.get_field(
            "require_two_factor_for_staff"
        ).verbose_name.capitalize(),
        required=False,
        help_text=SecurityPolicy._meta.get_field("require_two_factor_for_staff").help_text,
    )
    reason = forms.CharField(
        max_length=80,
        required=False,
        help_text="Kept in the policy's history, e.g. “security review 2026”.",
    )


class SecondFactorResetForm(forms.Form):
    reason = forms.CharField(
        max_length=80,
        help_text="Kept in the person's history and told to them, e.g. “lost phone, confirmed "
        "by phone call”.",
    )
