"""A reseller's own view in the portal: its clients (sub-accounts) with their MRR, overdue
amounts, seats and this month's usage, and its commission statements (read only).

Only for a company that is a reseller, and only for its users with the billing permission;
any other company in the URL (another company's, or one that is not a reseller) gets the
same 404 as a page that does not exist. The clients come from the policy layer (the user's
scope reaches its company and its sub-accounts), then those whose parent is the reseller."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count
from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from billing import money
from billing.models import BillingProfile, CommissionStatement
from billing.models_commission import SHOWN_TO_RESELLER
from billing.selectors import reseller_client_figures
from core.querysets import access
from core.scope import scope_for
from customers.models import Customer
from portal.models import Membership, PortalPermission

from .base import PortalMixin


class ResellerPageMixin(PortalMixin):
    required_permission = PortalPermission.VIEW_BILLING

    def get(self, request, *args, **kwargs):
        if not BillingProfile.objects.filter(customer=self.company, is_reseller=True).exists():
            raise Http404("No such page.")
        return super().get(request, *args, **kwargs)

    def statements(self):
        return CommissionStatement.objects.visible_to(self.request.user).filter(
            reseller=self.company, status__in=SHOWN_TO_RESELLER
        )


class ResellerClientsView(ResellerPageMixin, TemplateView):
    """Each client's MRR, amount overdue, seats used of its limit and this month's usage,
    with totals. A fixed number of queries however many clients."""

    template_name = "portal/reseller_clients.html"
    section = "reseller_clients"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clients = list(
            Customer.objects.visible_to(self.request.user)
            .filter(parent=self.company)
            .only("pk", "name")
            .order_by("name", "pk")
        )
        ids = [client.pk for client in clients]
        today = timezone.localdate()
        figures = reseller_client_figures(ids, today)
        seats_used = dict(
            Membership.objects.filter(customer_id__in=ids, user__is_active=True)
            .values("customer_id")
            .annotate(count=Count("pk"))
            .values_list("customer_id", "count")
        )
        metrics = figures["metrics"]
        rows = []
        for client in clients:
            numbers = figures["clients"][client.pk]
            rows.append(
                {
                    "client": client,
                    "mrr": numbers["mrr"],
                    "overdue": numbers["overdue"],
                    "seats_used": seats_used.get(client.pk, 0),
                    "seats": numbers["seats"],
                    "usage": [numbers["usage"].get(m.code, Decimal(0)) for m in metrics],
                }
            )
        context.update(
            rows=rows,
            metrics=metrics,
            month=today.replace(day=1),
            totals={
                "mrr": money.total(row["mrr"] for row in rows),
                "overdue": money.total(row["overdue"] for row in rows),
                "seats_used": sum(row["seats_used"] for row in rows),
                "usage": [
                    sum((row["usage"][i] for row in rows), Decimal(0)) for i in range(len(metrics))
                ],
            },
        )
        return context


class ResellerStatementsView(ResellerPageMixin, TemplateView):
    template_name = "portal/reseller_statements.html"
    section = "reseller_commissions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = list(self.statements().order_by("-month", "currency", "-pk")[:120])
        totals: dict[str, dict[str, Decimal]] = {}
        for statement in statements:
            if statement.status == "void":
                continue
            row = totals.setdefault(
                statement.currency, {"paid": Decimal("0.00"), "due": Decimal("0.00")}
            )
            row["paid" if statement.status == "paid" else "due"] += statement.total
        context.update(statements=statements, totals=sorted(totals.items()))
        return context


class ResellerStatementDetailView(ResellerPageMixin, TemplateView):
    template_name = "portal/reseller_statement_detail.html"
    section = "reseller_commissions"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = access(self.statements(), scope_for(self.request.user), self.kwargs["sid"])
        context.update(statement=statement, lines=list(statement.lines.all()))
        return context
