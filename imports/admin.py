from django.contrib import admin

from core.admin_sites import tenant_admin_site

from .models import ImportJob


@admin.register(ImportJob, site=tenant_admin_site)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "total_rows", "error_count", "created_by", "created_at"]
    list_filter = ["kind", "status"]
    exclude = ["data"]
    readonly_fields = [
        "kind",
        "status",
        "file_name",
        "file_format",
        "size",
        "total_rows",
        "processed_rows",
        "new_count",
        "update_count",
        "unchanged_count",
        "error_count",
        "error_summary",
        "warnings",
        "ignored_columns",
        "created_by",
        "checked_at",
        "confirmed_by",
        "confirmed_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False
