from django.urls import path

from .views.analytics import AnalyticsView
from .views.commissions import (
    CommissionStatementActionView,
    CommissionStatementDetailView,
    CommissionStatementListView,
    CommissionStatementPrepareView,
)
from .views.credit_notes import (
    CreditNoteCreateView,
    CreditNoteDetailView,
    CreditNotePdfView,
    InvoiceApplyCreditView,
)
from .views.customer_tab import CustomerBillingView
from .views.dunning import CustomerDunningView, DunningPolicyView
from .views.invoices import (
    InvoiceDetailView,
    InvoiceDraftDeleteView,
    InvoiceIssueView,
    InvoiceListView,
    InvoicePaymentView,
    InvoicePdfView,
    InvoiceVoidView,
)
from .views.payments import CommissionReportView, PaymentListView
from .views.plans_usage import PlanFormView, PlanListView, UsageCreateView, UsageListView
from .views.projects import ProjectCreateView, ProjectDetailView, ProjectListView, ProjectUpdateView
from .views.runs import (
    InvoiceRunDetailView,
    InvoiceRunIssueView,
    InvoiceRunStatusView,
    InvoiceRunView,
)
from .views.settings import BillingSettingsView
from .views.subscriptions import (
    SubscriptionCancelView,
    SubscriptionChangeView,
    SubscriptionCreateView,
    SubscriptionDetailView,
    SubscriptionListView,
)
from .views.tax_settings import SellerProfileView, TaxRateListView

app_name = "billing"

urlpatterns = [
    path("projects/", ProjectListView.as_view(), name="project_list"),
    path("projects/add/", ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", ProjectUpdateView.as_view(), name="project_update"),
    path("invoices/", InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "invoices/<int:pk>/receipt/",
        InvoicePdfView.as_view(receipt=True),
        name="invoice_receipt",
    ),
    path(
        "invoices/<int:pk>/payments/",
        InvoicePaymentView.as_view(),
        name="invoice_payment",
    ),
    path("invoices/<int:pk>/issue/", InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/void/", InvoiceVoidView.as_view(), name="invoice_void"),
    path(
        "invoices/<int:pk>/delete/",
        InvoiceDraftDeleteView.as_view(),
        name="invoice_delete",
    ),
    path(
        "invoices/<int:pk>/credit-note/",
        CreditNoteCreateView.as_view(),
        name="credit_note_create",
    ),
    path(
        "invoices/<int:pk>/apply-credit/",
        InvoiceApplyCreditView.as_view(),
        name="invoice_apply_credit",
    ),
    path("credit-notes/<int:pk>/", CreditNoteDetailView.as_view(), name="credit_note_detail"),
    path("credit-notes/<int:pk>/pdf/", CreditNotePdfView.as_view(), name="credit_note_pdf"),
    path("invoice-runs/", InvoiceRunView.as_view(), name="invoice_runs"),
    path("invoice-runs/<int:pk>/", InvoiceRunDetailView.as_view(), name="invoice_run_detail"),
    path(
        "invoice-runs/<int:pk>/status/",
        InvoiceRunStatusView.as_view(),
        name="invoice_run_status",
    ),
    path("invoice-runs/<int:pk>/issue/", InvoiceRunIssueView.as_view(), name="invoice_run_issue"),
    path("subscriptions/", SubscriptionListView.as_view(), name="subscription_list"),
    path(
        "subscriptions/add/",
        SubscriptionCreateView.as_view(),
        name="subscription_create",
    ),
    path(
        "subscriptions/<int:pk>/",
        SubscriptionDetailView.as_view(),
        name="subscription_detail",
    ),
    path(
        "subscriptions/<int:pk>/change/",
        SubscriptionChangeView.as_view(),
        name="subscription_change",
    ),
    path(
        "subscriptions/<int:pk>/cancel/",
        SubscriptionCancelView.as_view(),
        name="subscription_cancel",
    ),
    path("plans/", PlanListView.as_view(), name="plan_list"),
    path("plans/add/", PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", PlanFormView.as_view(), name="plan_update"),
    path("usage/", UsageListView.as_view(), name="usagerecord_list"),
    path("usage/add/", UsageCreateView.as_view(), name="usagerecord_create"),
    path("payments/", PaymentListView.as_view(), name="payment_list"),
    path("analytics/", AnalyticsView.as_view(), name="analytics"),
    path("commissions/", CommissionReportView.as_view(), name="commissions"),
    path(
        "commissions/statements/",
        CommissionStatementListView.as_view(),
        name="commission_statement_list",
    ),
    path(
        "commissions/statements/prepare/",
        CommissionStatementPrepareView.as_view(),
        name="commission_statement_prepare",
    ),
    path(
        "commissions/statements/<int:pk>/",
        CommissionStatementDetailView.as_view(),
        name="commission_statement_detail",
    ),
    path(
        "commissions/statements/<int:pk>/action/",
        CommissionStatementActionView.as_view(),
        name="commission_statement_action",
    ),
    path("settings/", BillingSettingsView.as_view(), name="settings"),
    path("settings/seller/", SellerProfileView.as_view(), name="seller_profile"),
    path("settings/tax-rates/", TaxRateListView.as_view(), name="tax_rates"),
    path("customers/<int:pk>/", CustomerBillingView.as_view(), name="customer_billing"),
    path("customers/<int:pk>/dunning/", CustomerDunningView.as_view(), name="customer_dunning"),
    path("settings/dunning/", DunningPolicyView.as_view(), name="dunning"),
]
