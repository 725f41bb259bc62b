"""How merging two customers (customers.services_merge) combines billing's rows that may
exist once per customer. Registered from BillingConfig.ready()."""

from __future__ import annotations

from django.db.models import F

from customers.services_merge import keep_survivors, refuse, register_merge_rule


def add_usage_to_survivor(colliding, *, survivor, duplicate, actor) -> None:
    """A day's usage of one metric both recorded: the survivor's row gets the sum."""
    from .models import UsageRecord

    for row in colliding:
        UsageRecord.objects.filter(customer=survivor, metric_id=row.metric_id, day=row.day).update(
            quantity=F("quantity") + row.quantity
        )
        row.delete()


def register() -> None:
    register_merge_rule(
        "billing.BillingProfile", keep_survivors, "the survivor's billing profile is kept"
    )
    register_merge_rule(
        "billing.DunningPolicy", keep_survivors, "the survivor's dunning policy is kept"
    )
    register_merge_rule(
        "billing.UsageRecord", add_usage_to_survivor, "usage of the same metric and day is added"
    )
    register_merge_rule(
        "billing.Subscription",
        refuse(
            "{survivor} and {duplicate} both have a live subscription: cancel the "
            "duplicate's before merging (a customer has one live subscription)."
        ),
        "refused: cancel one of the live subscriptions first",
    )
    register_merge_rule(
        "billing.Invoice",
        refuse(
            "{survivor} and {duplicate} both have an invoice for the same period: void the "
            "duplicate's before merging (one invoice per customer and period)."
        ),
        "refused: void one of the invoices for the same period first",
    )
    register_merge_rule(
        "billing.CommissionStatement",
        refuse(
            "{survivor} and {duplicate} both have a commission statement for the same month: "
            "void the duplicate's before merging."
        ),
        "refused: void one of the statements for the same month first",
    )
