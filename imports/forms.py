from django import forms
from django.conf import settings

from .parsing import ImportFileError, file_format, human_size


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text="A .csv (UTF-8, comma or semicolon separated) or an .xlsx workbook (first "
        "sheet), with the column names in the first row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.txt"}),
        error_messages={"required": "Choose a file to upload.", "empty": "The file is empty."},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {human_size(upload.size)}; the limit is "
                f"{human_size(settings.IMPORT_MAX_BYTES)}. Split it into smaller files."
            )
        try:
            file_format(upload.name)
        except ImportFileError as error:
            raise forms.ValidationError(str(error)) from None
        return upload
