from django.db import models


class TenantQuerySet(models.QuerySet):
    def customer_tenants(self):
        """Real tenants, without the public schema and the template schema."""
        return self.filter(kind="tenant")
