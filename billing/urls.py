from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("projects/", views.ProjectListView.as_view(), name="project_list"),
    path("projects/add/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectUpdateView.as_view(), name="project_update"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.InvoicePdfView.as_view(), name="invoice_pdf"),
    path(
        "invoices/<int:pk>/receipt/",
        views.InvoicePdfView.as_view(receipt=True),
        name="invoice_receipt",
    ),
    path(
        "invoices/<int:pk>/payments/",
        views.InvoicePaymentView.as_view(),
        name="invoice_payment",
    ),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice_issue"),
    path("invoices/<int:pk>/void/", views.InvoiceVoidView.as_view(), name="invoice_void"),
    path(
        "invoices/<int:pk>/delete/",
        views.InvoiceDraftDeleteView.as_view(),
        name="invoice_delete",
    ),
    path("invoice-runs/", views.InvoiceRunView.as_view(), name="invoice_runs"),
    path("subscriptions/", views.SubscriptionListView.as_view(), name="subscription_list"),
    path(
        "subscriptions/add/",
        views.SubscriptionCreateView.as_view(),
        name="subscription_create",
    ),
    path(
        "subscriptions/<int:pk>/",
        views.SubscriptionDetailView.as_view(),
        name="subscription_detail",
    ),
    path(
        "subscriptions/<int:pk>/change/",
        views.SubscriptionChangeView.as_view(),
        name="subscription_change",
    ),
    path(
        "subscriptions/<int:pk>/cancel/",
        views.SubscriptionCancelView.as_view(),
        name="subscription_cancel",
    ),
    path("plans/", views.PlanListView.as_view(), name="plan_list"),
    path("plans/add/", views.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.PlanFormView.as_view(), name="plan_update"),
    path("usage/", views.UsageListView.as_view(), name="usagerecord_list"),
    path("usage/add/", views.UsageCreateView.as_view(), name="usagerecord_create"),
    path("payments/", views.PaymentListView.as_view(), name="payment_list"),
    path("commissions/", views.CommissionReportView.as_view(), name="commissions"),
    path("settings/", views.BillingSettingsView.as_view(), name="settings"),
    path("customers/<int:pk>/", views.CustomerBillingView.as_view(), name="customer_billing"),
]
