from django.urls import path

from . import views

app_name = "activity"

urlpatterns = [
    path("tasks/", views.MyTasksView.as_view(), name="my_tasks"),
    path(
        "add/<slug:record_type>/<int:record_id>/<slug:kind>/",
        views.EntryAddView.as_view(),
        name="entry_add",
    ),
    path("<int:pk>/edit/", views.EntryUpdateView.as_view(), name="entry_update"),
    path("<int:pk>/delete/", views.EntryDeleteView.as_view(), name="entry_delete"),
    path(
        "<int:pk>/complete/", views.EntryStateView.as_view(action="complete"), name="task_complete"
    ),
    path("<int:pk>/reopen/", views.EntryStateView.as_view(action="reopen"), name="task_reopen"),
    path("<int:pk>/share/", views.EntryStateView.as_view(action="share"), name="entry_share"),
    path("<int:pk>/unshare/", views.EntryStateView.as_view(action="unshare"), name="entry_unshare"),
]
