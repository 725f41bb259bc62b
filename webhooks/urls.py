from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("", views.WebhookListView.as_view(), name="endpoint_list"),
    path("<int:pk>/", views.WebhookDetailView.as_view(), name="endpoint_detail"),
]
