"""Writes with side effects for projects and billing, one module per concern: projects,
subscriptions (plans, subscriptions and their status), usage, invoicing, payments, dunning
(overdue invoices and suspension) and settings. Every state change of a subscription, invoice
or payment goes through here, inside one transaction, with its history record. Import from
the concrete module: ``from billing.services.invoicing import invoice_run``."""
