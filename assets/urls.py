from django.urls import path

from . import views

app_name = "assets"

urlpatterns = [
    path("", views.AssetListView.as_view(), name="asset_list"),
    path("add/", views.AssetCreateView.as_view(), name="asset_create"),
    path("bulk/", views.AssetBulkView.as_view(), name="asset_bulk"),
    path("<int:pk>/", views.AssetDetailView.as_view(), name="asset_detail"),
    path("<int:pk>/edit/", views.AssetUpdateView.as_view(), name="asset_update"),
    path("<int:pk>/archive/", views.AssetArchiveView.as_view(), name="asset_archive"),
    path(
        "<int:pk>/unarchive/",
        views.AssetArchiveView.as_view(archived=False),
        name="asset_unarchive",
    ),
]
