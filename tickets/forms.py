"""Forms of the service desk. They only shape input: every rule (who may, which company's
asset, the size of a file) is the service's, whose errors land back on these forms."""

from __future__ import annotations

from django import forms

from assets.models import Asset
from core.widgets import FastSelect
from customers.forms import CustomerChoiceField
from locations.models import Location

from .models import BODY_MAX, SUBJECT_MAX, TicketCategory, TicketPriority, TicketStatus
from .services import MAX_FILES

# How many of a company's locations or assets the portal form offers in its selects.
CHOICES_MAX = 500


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Up to ``MAX_FILES`` files in one input (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attachments")
        kwargs.setdefault(
            "help_text", f"Up to {MAX_FILES} files: PDF, images, Office, text or ZIP."
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


def _body_field(label: str, rows: int = 6) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text="Markdown works: **bold**, lists, `code`, links.",
    )


class _TicketFields(forms.Form):
    subject = forms.CharField(max_length=SUBJECT_MAX)
    description = _body_field("Description")
    category = forms.ChoiceField(choices=TicketCategory.choices, initial=TicketCategory.QUESTION)
    priority = forms.ChoiceField(choices=TicketPriority.choices, initial=TicketPriority.NORMAL)
    files = MultipleFileField()


class PortalTicketForm(_TicketFields):
    """A company's user opens a ticket, optionally about one of its locations or assets."""

    location = forms.ModelChoiceField(queryset=Location.objects.none(), required=False)
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), required=False)
    field_order = ["subject", "category", "priority", "location", "asset", "description", "files"]

    def __init__(self, *args, company, can_see_locations: bool, can_see_assets: bool, **kwargs):
        super().__init__(*args, **kwargs)
        for name, model, allowed, reach in (
            ("location", Location, can_see_locations, {"customer": company}),
            ("asset", Asset, can_see_assets, {"owner": company}),
        ):
            rows = model.objects.filter(**reach).order_by("name", "pk")
            if not allowed or not rows[:1].exists():
                del self.fields[name]
                continue
            field = self.fields[name]
            field.queryset = rows
            field.widget = FastSelect(
                choices=[("", "—"), *rows.values_list("pk", "name")[:CHOICES_MAX]]
            )
            field.help_text = "If the request is about one of them."


class ConsoleTicketForm(_TicketFields):
    """Staff open a ticket on a company's behalf."""

    requester_email = forms.EmailField(
        label="Requester's email",
        required=False,
        help_text="Who asked. One of the company's portal users sees it in the portal; anyone "
        "else is emailed.",
    )
    field_order = [
        "customer",
        "requester_email",
        "subject",
        "category",
        "priority",
        "description",
        "files",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerChoiceField(user=user, label="Company", required=True)
        self.order_fields(self.field_order)


class ReplyForm(forms.Form):
    body = _body_field("Message", rows=5)
    files = MultipleFileField()


class StaffReplyForm(ReplyForm):
    internal = forms.BooleanField(label="Internal note (only your team sees it)", required=False)
    status = forms.ChoiceField(
        label="Then set the status to",
        choices=[c for c in TicketStatus.choices if c[0] != TicketStatus.NEW],
        initial=TicketStatus.WAITING,
        help_text="A public reply usually waits on the customer.",
    )


class TicketUpdateForm(forms.Form):
    priority = forms.ChoiceField(choices=TicketPriority.choices)
    category = forms.ChoiceField(choices=TicketCategory.choices)
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Nobody"), *((u.pk, str(u)) for u in assignees)]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Move to", choices=TicketStatus.choices)
    reason = forms.CharField(
        label="Why (optional)", max_length=200, required=False, help_text="Kept in the history."
    )

    def __init__(self, *args, **kwargs):
        # Its own element ids: the reply form on the same page has a "status" field too.
        kwargs.setdefault("auto_id", "move_%s")
        super().__init__(*args, **kwargs)


class MergeForm(forms.Form):
    into = forms.CharField(
        label="Merge into ticket",
        max_length=20,
        help_text="The number of the ticket it repeats (T-123).",
    )


class TimeEntryForm(forms.Form):
    spent = forms.CharField(label="How long", max_length=20, help_text="45m, 1h30, 1.5h or 1:30.")
    work_date = forms.DateField(
        label="On", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    note = forms.CharField(label="What for (optional)", max_length=200, required=False)

    def clean_spent(self):
        from .time_log import parse_duration

        return parse_duration(self.cleaned_data["spent"])
