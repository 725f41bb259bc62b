from django.urls import path

from . import views

app_name = "fields"

urlpatterns = [
    path("", views.FieldListView.as_view(), name="field_list"),
    path("add/", views.FieldCreateView.as_view(), name="field_create"),
    path("<int:pk>/edit/", views.FieldUpdateView.as_view(), name="field_update"),
    path("<int:pk>/move/", views.FieldMoveView.as_view(), name="field_move"),
    path("<int:pk>/remove/", views.FieldDeleteView.as_view(), name="field_delete"),
    path("tags/", views.TagListView.as_view(), name="tag_list"),
    path("tags/<int:pk>/edit/", views.TagUpdateView.as_view(), name="tag_update"),
    path("tags/<int:pk>/remove/", views.TagDeleteView.as_view(), name="tag_delete"),
]
