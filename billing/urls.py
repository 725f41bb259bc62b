from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/add/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("billing/invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("billing/invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("billing/invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "billing/invoices/<int:pk>/receipt/",
        views.InvoicePdfView.as_view(receipt=True),
        name="invoice_receipt",
    ),
    path(
        "billing/invoices/<int:pk>/payments/",
        views.InvoicePaymentView.as_view(),
        name="invoice_payment",
    ),
    path(
        "billing/invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice_issue"
    ),
    path("billing/invoices/<int:pk>/void/", views.InvoiceVoidView.as_view(), name="invoice_void"),
    path(
        "billing/invoices/<int:pk>/delete/",
        views.InvoiceDraftDeleteView.as_view(),
        name="invoice_delete",
    ),
    path("billing/invoice-runs/", views.InvoiceRunView.as_view(), name="invoice_runs"),
    path("billing/subscriptions/", views.SubscriptionListView.as_view(), name="subscription_list"),
    path(
        "billing/subscriptions/add/",
        views.SubscriptionCreateView.as_view(),
        name="subscription_create",
    ),
    path(
        "billing/subscriptions/<int:pk>/",
        views.SubscriptionDetailView.as_view(),
        name="subscription_detail",
    ),
    path(
        "billing/subscriptions/<int:pk>/change/",
        views.SubscriptionChangeView.as_view(),
        name="subscription_change",
    ),
    path(
        "billing/subscriptions/<int:pk>/cancel/",
        views.SubscriptionCancelView.as_view(),
        name="subscription_cancel",
    ),
    path("billing/plans/", views.PlanListView.as_view(), name="plan_list"),
    path("billing/plans/add/", views.PlanFormView.as_view(), name="plan_create"),
    path("billing/plans/<int:pk>/", views.PlanFormView.as_view(), name="plan_update"),
    path("billing/usage/", views.UsageListView.as_view(), name="usagerecord_list"),
    path("billing/usage/add/", views.UsageCreateView.as_view(), name="usagerecord_create"),
    path("billing/payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("billing/commissions/", views.CommissionReportView.as_view(), name="commissions"),
    path("billing/settings/", views.BillingSettingsView.as_view(), name="settings"),
    path(
        "customers/<int:pk>/billing/", views.CustomerBillingView.as_view(), name="customer_billing"
    ),
]
