"""Personal data held by imports (see core/privacy.py): the uploaded file is kept with its
job, and rows and messages repeat what they imported. An uploaded CSV that contains an
erased address is emptied (the import itself is done; its results stay). A spreadsheet
(.xlsx) is compressed and cannot be searched: it is not matched."""

from core.privacy import register

from .models import ImportJob, ImportRow

register(ImportJob, text=("data", "file_name", "error_summary", "warnings"))
register(ImportRow, text=("record", "messages"))
