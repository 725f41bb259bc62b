"""The console's own pages (dashboard, workspace settings, team, API tokens) under the
``core`` namespace their URL names have always had; the views live with what they show
(billing's dashboard figures, the tenant's settings, accounts' team and tokens)."""

from django.urls import path

from accounts import views as accounts_views
from billing.views.dashboard import DashboardView
from privacy import views as privacy_views
from tenants import views as tenants_views

app_name = "core"

urlpatterns = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("settings/", tenants_views.SettingsView.as_view(), name="settings"),
    path("settings/team/", accounts_views.TeamView.as_view(), name="team"),
    path("settings/api-tokens/", accounts_views.ApiTokensView.as_view(), name="api_tokens"),
    path("settings/team/invite/", accounts_views.StaffInviteView.as_view(), name="staff_invite"),
    path("settings/team/<int:pk>/", accounts_views.StaffUpdateView.as_view(), name="staff_update"),
    path(
        "settings/personal-data/",
        privacy_views.PersonalDataView.as_view(),
        name="personal_data",
    ),
    path(
        "settings/personal-data/export/",
        privacy_views.PersonalDataExportView.as_view(),
        name="personal_data_export",
    ),
    path(
        "settings/personal-data/erase/",
        privacy_views.PersonalDataEraseView.as_view(),
        name="personal_data_erase",
    ),
    path(
        "settings/team/<int:pk>/resend-welcome/",
        accounts_views.StaffResendWelcomeView.as_view(),
        name="staff_resend_welcome",
    ),
    path(
        "settings/team/<int:pk>/two-factor/",
        accounts_views.StaffTwoFactorView.as_view(),
        name="staff_two_factor",
    ),
    path("settings/security/", accounts_views.SecurityPolicyView.as_view(), name="security"),
    path("two-factor/setup/", accounts_views.TwoFactorSetupView.as_view(), name="two_factor_setup"),
]
