"""Subscriptions: list, detail with terms and usage, subscribe, change plan or seats,
cancel."""

from __future__ import annotations

from django.urls import reverse

from core.generic import ObjectDetailView, ObjectFormView, ObjectListView
from core.history import history_page
from core.policies import Capability, user_can
from core.querysets import access

from .. import figures
from ..filters import SubscriptionFilterSet
from ..forms import SubscriptionCancelForm, SubscriptionChangeForm, SubscriptionForm
from ..models import Subscription
from ..services.subscriptions import subscription_cancel, subscription_change, subscription_create
from ..tables import SubscriptionTable
from .base import BillingNavMixin


class SubscriptionListView(BillingNavMixin, ObjectListView):
    model = Subscription
    filterset_class = SubscriptionFilterSet
    table_class = SubscriptionTable
    export_name = "subscriptions"
    add_url_name = "billing:subscription_create"
    add_capability = Capability.MANAGE_BILLING
    breadcrumbs = [("Subscriptions", None)]

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).select_related("customer", "plan")


class SubscriptionDetailView(BillingNavMixin, ObjectDetailView):
    model = Subscription
    template_name = "billing/subscription_detail.html"
    context_object_name = "subscription"

    def get_queryset(self):
        return Subscription.objects.visible_to(self.request.user).select_related("customer", "plan")

    def get_breadcrumbs(self):
        return [("Subscriptions", reverse("billing:subscription_list")), (str(self.object), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page, entries = history_page(
            Subscription, self.object.history.all(), self.request.GET.get("page")
        )
        context.update(
            terms=self.object.terms.select_related("plan"),
            usage=figures.current_usage(self.object),
            page_obj=page,
            entries=entries,
            can_manage_billing=user_can(self.request.user, Capability.MANAGE_BILLING),
        )
        return context


class SubscriptionCreateView(BillingNavMixin, ObjectFormView):
    model = Subscription
    form_class = SubscriptionForm
    required_capability = Capability.MANAGE_BILLING
    initial_from_query = ("customer",)

    def save(self, form):
        return subscription_create(actor=self.request.user, **form.cleaned_data)


class SubscriptionActionFormView(BillingNavMixin, ObjectFormView):
    """A change to one subscription through a plain form and a service."""

    model = Subscription
    required_capability = Capability.MANAGE_BILLING
    verb = ""

    def get_object(self):
        return access(
            Subscription.objects.live().select_related("plan"),
            self.scope,
            self.kwargs["pk"],
            "change",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = f"{self.verb}: {self.object}"
        return context

    def get_breadcrumbs(self):
        return [
            ("Subscriptions", reverse("billing:subscription_list")),
            (str(self.object), self.object.get_absolute_url()),
            (self.verb, None),
        ]


class SubscriptionChangeView(SubscriptionActionFormView):
    form_class = SubscriptionChangeForm
    verb = "Change plan or seats"

    def save(self, form):
        return subscription_change(
            subscription_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )


class SubscriptionCancelView(SubscriptionActionFormView):
    form_class = SubscriptionCancelForm
    verb = "Cancel"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("user"), kwargs.pop("instance", None)
        return kwargs

    def save(self, form):
        return subscription_cancel(
            subscription_id=self.object.pk, actor=self.request.user, **form.cleaned_data
        )
