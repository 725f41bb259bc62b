from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin_sites import platform_admin_site, tenant_admin_site

from .models import SignInEvent, User


class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "role", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        ("Access", {"fields": ["role", "is_active", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


class PlatformUserAdmin(UserAdmin):
    """Platform operators are deactivated, never deleted: a user row's relations include
    tenant-only tables (memberships, teams) that the public schema does not have, and an
    operator's account stays in the sign-in records and history."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class SignInEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "email", "succeeded", "ip_address"]
    list_filter = ["succeeded"]
    search_fields = ["email", "ip_address"]
    readonly_fields = ["user", "email", "succeeded", "ip_address", "user_agent", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


platform_admin_site.register(User, PlatformUserAdmin)
tenant_admin_site.register(User, UserAdmin)
for site in (platform_admin_site, tenant_admin_site):
    site.register(SignInEvent, SignInEventAdmin)
