from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path(
        "add/<slug:record_type>/<int:record_id>/",
        views.DocumentUploadView.as_view(),
        name="document_upload",
    ),
    path("<int:pk>/", views.DocumentDetailView.as_view(), name="document_detail"),
    path("<int:pk>/edit/", views.DocumentUpdateView.as_view(), name="document_update"),
    path(
        "<int:pk>/versions/add/",
        views.DocumentVersionAddView.as_view(),
        name="document_version_add",
    ),
    path(
        "<int:pk>/versions/<int:vid>/download/",
        views.VersionDownloadView.as_view(),
        name="version_download",
    ),
    path("<int:pk>/share/", views.DocumentStateView.as_view(action="share"), name="document_share"),
    path(
        "<int:pk>/unshare/",
        views.DocumentStateView.as_view(action="unshare"),
        name="document_unshare",
    ),
    path(
        "<int:pk>/archive/",
        views.DocumentStateView.as_view(action="archive"),
        name="document_archive",
    ),
    path(
        "<int:pk>/restore/",
        views.DocumentStateView.as_view(action="restore"),
        name="document_restore",
    ),
]
