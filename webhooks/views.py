from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability
from core.querysets import access
from core.scope import scope_for
from customers.forms import https_urls

from . import services
from .models import WebhookDelivery, WebhookEndpoint, WebhookEvent


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events"]
        labels = {"url": "URL"}
        help_texts = {
            "url": "Where we POST the events (https recommended). Loopback, private and "
            "link-local addresses are refused unless the platform operator allowed them."
        }
        formfield_callback = https_urls


class WebhookOwnerMixin(ConsoleAccessMixin, BreadcrumbsMixin):
    required_capability = Capability.MANAGE_TENANT
    # Deliveries carry every customer's data: never for staff limited to assigned customers.
    requires_unlimited_scope = True
    nav_section = "settings"


class WebhookListView(WebhookOwnerMixin, FormView):
    """The owner's webhook endpoints; add one (its signing secret is shown on its page)."""

    template_name = "webhooks/endpoint_list.html"
    form_class = WebhookEndpointForm

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Webhooks", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = WebhookEndpoint.objects.all()
        return context

    def form_valid(self, form):
        try:
            endpoint = services.webhook_endpoint_create(
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                events=form.cleaned_data["events"],
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, "Endpoint added. Use its signing secret to verify our requests."
        )
        return redirect("webhooks:endpoint_detail", pk=endpoint.pk)


class WebhookDetailView(WebhookOwnerMixin, TemplateView):
    """One endpoint: its secret, the delivery log, replay, rotate, pause."""

    template_name = "webhooks/endpoint_detail.html"

    def get_breadcrumbs(self):
        return [
            ("Settings", reverse("core:settings")),
            ("Webhooks", reverse("webhooks:endpoint_list")),
            (str(self.endpoint), None),
        ]

    @cached_property
    def endpoint(self) -> WebhookEndpoint:
        return access(WebhookEndpoint, scope_for(self.request.user), self.kwargs["pk"], "change")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deliveries = self.endpoint.deliveries.all()
        # ?status=failed: the failures only (the dashboard's "needs attention" link).
        status = self.request.GET.get("status")
        if status in WebhookDelivery.Status.values:
            deliveries = deliveries.filter(status=status)
        else:
            status = ""
        page = Paginator(deliveries, 25).get_page(self.request.GET.get("page"))
        context.update(
            endpoint=self.endpoint,
            page_obj=page,
            deliveries=page.object_list,
            status_filter=status,
            status_choices=WebhookDelivery.Status.choices,
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "replay":
            delivery = access(
                self.endpoint.deliveries.all(),
                scope_for(request.user),
                request.POST.get("delivery"),
                "change",
            )
            services.replay(delivery)
            messages.success(request, f"Sending {delivery.event} again.")
        elif action == "rotate":
            services.webhook_endpoint_rotate_secret(endpoint=self.endpoint, actor=request.user)
            messages.success(request, "New signing secret; update your receiver.")
        elif action in ("pause", "resume"):
            endpoint = services.webhook_endpoint_set_enabled(
                endpoint=self.endpoint, enabled=action == "resume", actor=request.user
            )
            messages.success(
                request, "Endpoint resumed." if endpoint.is_active else "Endpoint paused."
            )
        elif action == "delete":
            services.webhook_endpoint_delete(endpoint=self.endpoint, actor=request.user)
            messages.success(request, "Endpoint removed.")
            return redirect("webhooks:endpoint_list")
        else:
            messages.error(request, "Unknown action; nothing changed.")
        return redirect("webhooks:endpoint_detail", pk=self.endpoint.pk)
