from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.admin_sites import tenant_admin_site

from .models import Customer, LinkedAccount


@admin.register(Customer, site=tenant_admin_site)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "business_type", "status", "is_archived", "deleted_at"]
    list_filter = ["business_type", "status", "is_archived"]
    search_fields = ["name", "external_id", "company_email"]
    raw_id_fields = ["parent"]
    readonly_fields = [
        "portal_access",
        "account_status_reason",
        "deleted_at",
        "deleted_by",
        "version",
        "created_at",
        "updated_at",
    ]


@admin.register(LinkedAccount, site=tenant_admin_site)
class LinkedAccountAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "kind", "external_id", "name", "customer"]
    list_filter = ["provider", "kind"]
    search_fields = ["external_id", "name"]
    raw_id_fields = ["customer"]
