import secrets
import tempfile
from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from procrastinate.contrib.django.admin import ProcrastinateJobAdmin
from procrastinate.contrib.django.models import ProcrastinateJob

from core.admin_sites import platform_admin_site
from core.outbound import validate_allow_list

from .backup import BackupError, tenant_backup
from .models import Domain, Tenant
from .services import (
    PLATFORM_SETTINGS_FIELDS,
    tenant_provision,
    tenant_set_active,
    tenant_settings_update,
    validate_provision_request,
)


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 1
    fields = ["domain", "is_primary"]


class AllowListField(forms.CharField):
    """The operator's allow-list as text, one entry per line (commas also separate)."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 40})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        entries = [item.strip() for item in text.replace(",", "\n").splitlines() if item.strip()]
        try:
            return validate_allow_list(entries)
        except ValueError as error:
            raise ValidationError(str(error), code="invalid") from None


class TenantChangeForm(forms.ModelForm):
    outbound_allowed_networks = AllowListField(
        required=False,
        label=Tenant._meta.get_field("outbound_allowed_networks").verbose_name.capitalize(),
        help_text=Tenant._meta.get_field("outbound_allowed_networks").help_text,
    )

    class Meta:
        model = Tenant
        fields = [
            "name",
            "is_active",
            "currency",
            "locale",
            "timezone",
            "soft_delete_grace_days",
            "outbound_allowed_networks",
        ]


class TenantProvisionForm(forms.ModelForm):
    owner_email = forms.EmailField(
        help_text="The owner gets an email with a link to set a password."
    )
    owner_first_name = forms.CharField(max_length=150, required=False)
    owner_last_name = forms.CharField(max_length=150, required=False)

    class Meta:
        model = Tenant
        fields = ["name", "slug"]
        help_texts = {"slug": "Becomes the host <slug>.<platform domain> and the schema name."}

    def clean(self):
        cleaned = super().clean()
        self.provision_kwargs = {
            "slug": cleaned.get("slug") or "",
            "name": cleaned.get("name") or "",
            "owner_email": cleaned.get("owner_email") or "",
            "owner_first_name": cleaned.get("owner_first_name") or "",
            "owner_last_name": cleaned.get("owner_last_name") or "",
        }
        try:
            validate_provision_request(**self.provision_kwargs)
        except ValidationError as exc:
            for field, field_messages in exc.message_dict.items():
                for message in field_messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned

    def validate_unique(self):
        """Uniqueness is the provisioning service's to check, with its own messages."""


@admin.register(Tenant, site=platform_admin_site)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "primary_domain", "is_active", "currency", "created_at"]
    list_filter = ["is_active", "currency"]
    search_fields = ["name", "slug", "domains__domain"]
    readonly_fields = ["schema_name", "slug", "created_at"]
    fields = [
        "name",
        "slug",
        "schema_name",
        "is_active",
        "currency",
        "locale",
        "timezone",
        "soft_delete_grace_days",
        "outbound_allowed_networks",
        "created_at",
    ]
    form = TenantChangeForm
    inlines = [DomainInline]
    actions = ["deactivate", "activate", "download_backup"]

    def get_queryset(self, request):
        return super().get_queryset(request).customer_tenants().prefetch_related("domains")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TenantProvisionForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["name", "slug"]}),
                ("Owner", {"fields": ["owner_email", "owner_first_name", "owner_last_name"]}),
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        if change:
            fields = [name for name in PLATFORM_SETTINGS_FIELDS if name in form.cleaned_data]
            tenant_settings_update(
                tenant=obj, data=form.cleaned_data, fields=fields, actor=request.user
            )
            return None
        tenant = tenant_provision(**form.provision_kwargs)
        obj.pk = tenant.pk
        obj.refresh_from_db()

    @admin.display(description="Primary domain")
    def primary_domain(self, tenant: Tenant) -> str:
        return next((d.domain for d in tenant.domains.all() if d.is_primary), "—")

    @admin.action(description="Deactivate selected tenants (data is kept)")
    def deactivate(self, request, queryset):
        updated = self._set_active(request, queryset, active=False)
        self.message_user(request, f"Deactivated {updated} tenant(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected tenants")
    def activate(self, request, queryset):
        updated = self._set_active(request, queryset, active=True)
        self.message_user(request, f"Reactivated {updated} tenant(s).", messages.SUCCESS)

    @staticmethod
    def _set_active(request, queryset, *, active: bool) -> int:
        """How many of the selected tenants changed (those already so are left alone)."""
        return sum(
            tenant_set_active(tenant=tenant, active=active, actor=request.user)
            for tenant in queryset.order_by("pk")
        )

    @admin.action(description="Download a backup of the selected tenant")
    def download_backup(self, request, queryset):
        """The tenant's whole schema and platform record as one zip (tenant_restore reads it)."""
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one tenant to back up.", messages.ERROR)
            return None
        tenant = queryset.get()
        path = Path(tempfile.gettempdir()) / f"clientele-backup-{secrets.token_hex(8)}.zip"
        try:
            tenant_backup(tenant=tenant, path=path)
        except BackupError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        name = f"{tenant.slug}-{timezone.now():%Y%m%d-%H%M%S}.zip"
        response = FileResponse(path.open("rb"), as_attachment=True, filename=name)
        path.unlink()  # the open file stays readable until the response is sent
        return response


# Background jobs of every tenant (each carries its schema name): operators see failures here.
platform_admin_site.register(ProcrastinateJob, ProcrastinateJobAdmin)
