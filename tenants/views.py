from django.views.generic import TemplateView

from .models import Tenant


class LandingView(TemplateView):
    template_name = "tenants/landing.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tenant_count"] = Tenant.objects.customer_tenants().filter(is_active=True).count()
        return context
