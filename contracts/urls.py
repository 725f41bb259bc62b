from django.urls import path

from . import views

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract_list"),
    path("add/", views.ContractCreateView.as_view(), name="contract_create"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_update"),
    path("<int:pk>/renew/", views.ContractRenewView.as_view(), name="contract_renew"),
    path("<int:pk>/terminate/", views.ContractTerminateView.as_view(), name="contract_terminate"),
    path("<int:pk>/signed-copy/", views.ContractSignedCopyView.as_view(), name="contract_signed"),
]
