"""The tenant admin (owners): usage metrics are edited here; financial records are shown read
only, since every change to them goes through billing.services."""

from django.contrib import admin

from core.admin_sites import tenant_admin_site

from .models import Invoice, Metric, Payment, Plan, Project, Subscription


@admin.register(Metric, site=tenant_admin_site)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "unit"]
    search_fields = ["name", "code"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan, site=tenant_admin_site)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "monthly_fee", "seat_fee", "max_seats", "is_active"]


@admin.register(Subscription, site=tenant_admin_site)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ["customer", "plan", "seats", "status", "start_date"]
    list_filter = ["status", "plan"]
    list_select_related = ["customer", "plan"]


@admin.register(Invoice, site=tenant_admin_site)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "customer_name", "period_start", "status", "total", "amount_paid"]
    list_filter = ["status"]
    search_fields = ["number", "customer_name"]
    show_full_result_count = False


@admin.register(Payment, site=tenant_admin_site)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "amount", "method", "paid_on", "reference"]
    list_filter = ["method"]
    list_select_related = ["invoice"]
    show_full_result_count = False


@admin.register(Project, site=tenant_admin_site)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["name", "customer_name", "start_date", "end_date", "monthly_fee"]
    search_fields = ["name", "customer_name"]
