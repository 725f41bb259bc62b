from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/team/", views.TeamView.as_view(), name="team"),
    path("settings/api-tokens/", views.ApiTokensView.as_view(), name="api_tokens"),
    path("settings/team/invite/", views.StaffInviteView.as_view(), name="staff_invite"),
    path("settings/team/<int:pk>/", views.StaffUpdateView.as_view(), name="staff_update"),
    path(
        "settings/team/<int:pk>/resend-welcome/",
        views.StaffResendWelcomeView.as_view(),
        name="staff_resend_welcome",
    ),
]
