from django import forms

from tenants.models import Tenant


class WorkspaceSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ["name", "currency", "timezone", "soft_delete_grace_days"]
        labels = {"name": "Workspace name"}
