from django.urls import path

from . import views

app_name = "locations"

urlpatterns = [
    path("", views.LocationListView.as_view(), name="location_list"),
    path("add/", views.LocationCreateView.as_view(), name="location_create"),
    path("autocomplete/", views.LocationAutocompleteView.as_view(), name="location_autocomplete"),
    path("<int:pk>/", views.LocationDetailView.as_view(), name="location_detail"),
    path("<int:pk>/edit/", views.LocationUpdateView.as_view(), name="location_update"),
    path("<int:pk>/move/", views.LocationMoveView.as_view(), name="location_move"),
    path("<int:pk>/archive/", views.LocationArchiveView.as_view(), name="location_archive"),
    path(
        "<int:pk>/unarchive/",
        views.LocationArchiveView.as_view(archived=False),
        name="location_unarchive",
    ),
]
