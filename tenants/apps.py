from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Platform tenants"

    def ready(self):
        from django.db import connection

        from core.outbound import register_allow_list_source

        from .models import Tenant

        # Outbound requests made inside a tenant's schema may also reach what the platform
        # operator allowed for that tenant.
        register_allow_list_source(
            lambda: Tenant.objects.outbound_allowed_for(connection.schema_name)
        )
