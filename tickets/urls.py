from django.urls import path

from . import views, views_triage

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="ticket_list"),
    path("add/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket_reply"),
    path("<int:pk>/update/", views.TicketUpdateView.as_view(), name="ticket_update"),
    path("<int:pk>/status/", views.TicketStatusView.as_view(), name="ticket_status"),
    path("<int:pk>/merge/", views.TicketMergeView.as_view(), name="ticket_merge"),
    path("triage/", views_triage.TriageListView.as_view(), name="triage"),
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
