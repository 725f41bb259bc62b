"""Every console list's tools (core/views_lists.py), under /lists/."""

from django.urls import path

from . import views_exports, views_lists

app_name = "lists"

LIST_KEY = "<str:list_key>"

urlpatterns = [
    path(f"{LIST_KEY}/columns/", views_lists.ListColumnsView.as_view(), name="columns"),
    path(f"{LIST_KEY}/views/", views_lists.SavedViewCreateView.as_view(), name="view_save"),
    path(
        "views/<int:pk>/delete/",
        views_lists.SavedViewActionView.as_view(action="delete"),
        name="view_delete",
    ),
    path(
        "views/<int:pk>/default/",
        views_lists.SavedViewActionView.as_view(action="default"),
        name="view_default",
    ),
    path(f"{LIST_KEY}/bulk/", views_lists.BulkActionView.as_view(), name="bulk"),
    path("jobs/<int:pk>/", views_lists.BulkJobView.as_view(), name="bulk_job"),
]
urlpatterns += [
    path(f"{LIST_KEY}/export/", views_exports.ExportStartView.as_view(), name="export"),
    path("exports/<int:pk>/", views_exports.ExportJobView.as_view(), name="export_job"),
    path(
        "exports/<int:pk>/download/",
        views_exports.ExportDownloadView.as_view(),
        name="export_download",
    ),
]
