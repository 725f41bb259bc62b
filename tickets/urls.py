from django.urls import path

from . import views, views_mail, views_rating, views_sla, views_triage

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("add/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket_reply"),
    path("<int:pk>/update/", views.TicketUpdateView.as_view(), name="ticket_update"),
    path("<int:pk>/status/", views.TicketStatusView.as_view(), name="ticket_status"),
    path("<int:pk>/merge/", views.TicketMergeView.as_view(), name="ticket_merge"),
    path("<int:pk>/time/", views.TicketLogTimeView.as_view(), name="ticket_log_time"),
    path(
        "<int:pk>/time/<int:eid>/delete/",
        views.TimeEntryDeleteView.as_view(),
        name="time_entry_delete",
    ),
    path("triage/", views_triage.TriageListView.as_view(), name="triage"),
    path("rate/<int:pk>/<str:token>/", views_rating.rate, name="rate"),
    path("service-levels/", views_sla.PolicyListView.as_view(), name="sla_policies"),
    path("service-levels/add/", views_sla.PolicyFormView.as_view(), name="sla_policy_create"),
    path("service-levels/<int:pk>/", views_sla.PolicyFormView.as_view(), name="sla_policy_update"),
    path(
        "customers/<int:pk>/service-level/",
        views_sla.CustomerPolicyView.as_view(),
        name="customer_sla",
    ),
    path("report/", views_sla.ReportView.as_view(), name="report"),
    path("mail-in/", views_mail.MailInView.as_view(), name="mail_in"),
    path("mail-in/test/", views_mail.MailInTestView.as_view(), name="mail_in_test"),
    path(
        "triage/<int:pk>/<slug:action>/",
        views_triage.TriageActionView.as_view(),
        name="triage_action",
    ),
    path("<int:pk>/emails/<int:eid>/", views_triage.InboundRawView.as_view(), name="inbound_raw"),
    path(
        "<int:pk>/files/<int:aid>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment_download",
    ),
]
