from django.db import models


class TenantQuerySet(models.QuerySet):
    def customer_tenants(self):
        """Real tenants, without the public schema and the template schema."""
        return self.filter(kind="tenant")

    def outbound_allowed_for(self, schema_name: str) -> list[str]:
        """The operator's allow-list of internal receivers for the tenant of ``schema_name``."""
        found = self.filter(schema_name=schema_name).values_list(
            "outbound_allowed_networks", flat=True
        )
        return list(found.first() or [])
