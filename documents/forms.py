from __future__ import annotations

from django import forms

from .files import ALLOWED_LABEL, ALLOWED_TYPES, human_limit

ACCEPT = ",".join(f".{extension}" for extension in ALLOWED_TYPES)


def file_field(label: str = "File") -> forms.FileField:
    return forms.FileField(
        label=label,
        max_length=255,
        help_text=f"{ALLOWED_LABEL}; at most {human_limit()}.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "The file is empty.",
            "invalid": "That is not a file; choose one to upload.",
        },
    )


class DocumentUploadForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the file's name."
    )
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = file_field()
    shared_with_portal = forms.BooleanField(
        label="Share with the company's portal",
        required=False,
        help_text="Its users can then see and download it.",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field()


class DocumentEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class DocumentVersionForm(forms.Form):
    file = file_field("New version")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field("New version")
