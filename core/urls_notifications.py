"""The user's own notifications (core/views_notifications.py), under /notifications/."""

from django.urls import path

from . import views_notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.NotificationBellView.as_view(), name="bell"),
    path("read/", views.NotificationsReadView.as_view(), name="read_all"),
    path("<int:pk>/", views.NotificationOpenView.as_view(), name="open"),
]
