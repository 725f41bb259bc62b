"""Forms of teams and of a staff user's customer access. Customers are picked one at a time
with the customer search (a tenant may have 100,000); those already chosen are checkboxes."""

from __future__ import annotations

from django import forms

from accounts.models import CustomerAccess, User

from .forms import CustomerChoiceField
from .models import Customer
from .teams import Team


class ChosenCustomersMixin:
    """``customers``: checkboxes of the customers chosen so far (untick to remove) and
    ``add_customer``: a search box to add one more."""

    def setup_customers(self, chosen, *, user: User) -> None:
        chosen = list(chosen)
        field = forms.ModelMultipleChoiceField(
            queryset=Customer.objects.filter(deleted_at__isnull=True),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label="Customers (each with its sub-accounts)",
        )
        field.widget.choices = [(c.pk, c.name) for c in chosen]
        field.initial = [c.pk for c in chosen]
        field.help_text = (
            "Untick a customer to remove it."
            if chosen
            else "None yet: add customers one at a time with the search below."
        )
        self.fields["customers"] = field
        self.fields["add_customer"] = CustomerChoiceField(user=user, label="Add a customer")

    def chosen_customers(self) -> list[Customer]:
        customers = list(self.cleaned_data.get("customers") or [])
        extra = self.cleaned_data.get("add_customer")
        if extra is not None and extra not in customers:
            customers.append(extra)
        return customers


class TeamForm(ChosenCustomersMixin, forms.Form):
    name = forms.CharField(max_length=100)
    description = forms.CharField(max_length=255, required=False)
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.exclude(role="").filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Staff users in this team. Limited users see the team's customers.",
    )

    def __init__(self, *args, user: User, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_customers(team.customers.order_by("name") if team else [], user=user)
        if team is not None:
            self.fields["name"].initial = team.name
            self.fields["description"].initial = team.description
            self.fields["members"].initial = list(team.members.values_list("pk", flat=True))


class StaffCustomerAccessForm(ChosenCustomersMixin, forms.Form):
    access = forms.ChoiceField(
        choices=CustomerAccess.choices,
        widget=forms.RadioSelect,
        label="Customer access",
        help_text="Limited users see only their teams' and assigned customers, with their "
        "sub-accounts, everywhere: lists, search, dashboards, billing, exports and the API.",
    )
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, user: User, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access"].initial = member.customer_access
        self.fields["teams"].initial = list(member.teams.values_list("pk", flat=True))
        if not self.fields["teams"].queryset.exists():
            self.fields["teams"].help_text = (
                "No teams yet: create one under Settings → Team → Teams, or assign customers "
                "directly below."
            )
        assigned = Customer.objects.filter(staff_assignments__user=member).order_by("name")
        self.setup_customers(assigned, user=user)
