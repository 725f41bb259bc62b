"""The company's account status on the customer page: Deactivate, Suspend (with a reason) and
Reactivate, each a confirm page and one service of customers.account_status (Delete is the
customer's Delete). Admins only; a transition not allowed from the current status is refused
with a message and writes nothing."""

from __future__ import annotations

from customers import account_status

from .actions import CustomerActionView

ACTIONS = {
    "suspend": (
        "Suspend",
        "btn-warning",
        "The company's users see only the reason you give, their invoices and the payment "
        "page; everything else and the API are refused until the account is reactivated. "
        "The company's admins are emailed.",
    ),
    "deactivate": (
        "Deactivate",
        "btn-danger",
        "The company's users are signed out on their next click and cannot sign in; their "
        "API tokens are revoked. The data is kept, and the account can be reactivated. The "
        "company's admins are emailed.",
    ),
    "reactivate": (
        "Reactivate",
        "btn-success",
        "The company's users can use the portal again (revoked API tokens stay revoked). The "
        "company's admins are emailed.",
    ),
}


class CustomerAccountActionView(CustomerActionView):
    template_name = "customers/account_action.html"
    action = ""

    @property
    def verb(self) -> str:
        return ACTIONS[self.action][0]

    @property
    def button_class(self) -> str:
        return ACTIONS[self.action][1]

    @property
    def explanation(self) -> str:
        return ACTIONS[self.action][2]

    @property
    def success_message(self) -> str:
        return f"{self.verb}d the account of {{object}}."

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            action=self.action,
            account_status=account_status.account_status_of(self.object),
            reason_required=self.action == "suspend",
        )
        return context

    def perform(self, customer):
        service = account_status.TRANSITION_SERVICES[self.action]
        return service(
            customer_id=customer.pk,
            actor=self.request.user,
            reason=self.request.POST.get("reason", ""),
        )
