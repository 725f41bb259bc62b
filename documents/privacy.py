"""Personal data held by documents (see core/privacy.py). A version names who uploaded it:
erasing that person (or purging their company) clears the link, the version stays. Titles,
descriptions and file names are free text that may mention anyone. A purged customer's own
documents, and its locations', are deleted with their files (documents.services)."""

from core.privacy import Person, register

from .models import Document, DocumentVersion

register(Document, customer="customer_id", text=("title",), record=("description",))
register(
    DocumentVersion,
    people=[Person("uploader", ("uploaded_by",), user="uploaded_by_id")],
    text=("original_name",),
    not_personal={"sha256": "a checksum of the file's bytes"},
)
