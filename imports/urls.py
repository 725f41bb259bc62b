from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("jobs/<int:pk>/", views.ImportJobView.as_view(), name="import_job"),
    path("jobs/<int:pk>/status/", views.ImportJobStatusView.as_view(), name="import_job_status"),
    path("jobs/<int:pk>/errors.csv", views.ImportJobErrorsView.as_view(), name="import_job_errors"),
    path("jobs/<int:pk>/confirm/", views.ImportJobConfirmView.as_view(), name="import_job_confirm"),
    path("<str:kind>/", views.ImportUploadView.as_view(), name="import_upload"),
    path(
        "<str:kind>/template.<str:fmt>", views.ImportTemplateView.as_view(), name="import_template"
    ),
    path("<str:kind>/export.csv", views.FullExportView.as_view(), name="full_export"),
]
