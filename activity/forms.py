"""The forms of the timeline: a note, a logged call or meeting, a task. They only parse what
was typed; the services decide (scope, staff assignee, the customer's contact)."""

from __future__ import annotations

from django import forms

from customers.models_contacts import Contact

from .markdown import staff_users
from .models import EntryKind

BODY_HELP = (
    "Markdown: **bold**, *italic*, lists, links. Mention a colleague with @ and their email "
    "(@ana or @ana@example.com): they get an email."
)
SHARED_HELP = "The company's portal users will see it."


def _datetime_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class NoteForm(forms.Form):
    body = forms.CharField(
        label="Note",
        max_length=20000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=BODY_HELP,
        error_messages={"required": "Write something: the note is empty."},
    )
    shared_with_portal = forms.BooleanField(
        label="Share with the company", required=False, help_text=SHARED_HELP
    )


class CallForm(forms.Form):
    kind = forms.ChoiceField(
        label="What",
        choices=[(EntryKind.CALL, "Call"), (EntryKind.MEETING, "Meeting")],
        initial=EntryKind.CALL,
    )
    occurred_at = forms.DateTimeField(
        label="When",
        widget=_datetime_widget(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "Enter a valid date and time."},
    )
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=0, max_value=24 * 60, required=False
    )
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(), required=False, label="Contact", empty_label="(none)"
    )
    title = forms.CharField(label="Subject", max_length=200, required=False)
    outcome = forms.CharField(max_length=300, required=False)
    body = forms.CharField(
        label="Notes",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=BODY_HELP,
    )
    shared_with_portal = forms.BooleanField(
        label="Share with the company", required=False, help_text=SHARED_HELP
    )

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        contacts = Contact.objects.none()
        if customer is not None:
            contacts = Contact.objects.filter(customer=customer, is_archived=False).order_by(
                "name", "pk"
            )
        self.fields["contact"].queryset = contacts


class TaskForm(forms.Form):
    title = forms.CharField(max_length=200, error_messages={"required": "A task needs a title."})
    assignee = forms.ModelChoiceField(
        queryset=staff_users().order_by("first_name", "last_name", "email"),
        label="Assigned to",
        error_messages={
            "required": "Choose who does the task.",
            "invalid_choice": "The assignee must be an active member of your team.",
        },
    )
    due_date = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Enter a due date.",
            "invalid": "Enter a valid due date (YYYY-MM-DD).",
        },
    )
    remind_at = forms.DateTimeField(
        label="Reminder email at",
        required=False,
        widget=_datetime_widget(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        help_text="Optional: the assignee gets an email then.",
        error_messages={"invalid": "Enter a valid reminder date and time."},
    )
    body = forms.CharField(
        label="Details",
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=BODY_HELP,
    )
    shared_with_portal = forms.BooleanField(
        label="Share with the company", required=False, help_text=SHARED_HELP
    )


FORMS = {"note": NoteForm, "call": CallForm, "task": TaskForm}
