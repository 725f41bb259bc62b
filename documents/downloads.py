"""A version's bytes as a response: streamed from the documents storage, never a public URL.
Only images and PDFs may be shown inline; everything else (HTML, SVG, XML, text, Office,
ZIP) is an attachment. Every answer carries nosniff and a content security policy that runs
nothing, so even a file that slipped past the type checks cannot act in the app's origin."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .files import disposition_inline
from .models import DocumentVersion
from .storage import documents_storage

INLINE_POLICY = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
ATTACHMENT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; sandbox"


def version_response(version: DocumentVersion) -> FileResponse:
    return stored_file_response(
        version.file.name, filename=version.original_name, content_type=version.content_type
    )


def stored_file_response(key: str, *, filename: str, content_type: str) -> FileResponse:
    """Stream stored bytes (a document version, a ticket's attachment) as a download."""
    try:
        handle = documents_storage().open(key, "rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404("The file is missing.") from missing
    inline = disposition_inline(content_type)
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type if inline else _attachment_type(content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = INLINE_POLICY if inline else ATTACHMENT_POLICY
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def _attachment_type(content_type: str) -> str:
    """Text types get a charset; markup types are never sent as markup."""
    if content_type in ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml"):
        return "application/octet-stream"
    if content_type.startswith("text/"):
        return f"{content_type}; charset=utf-8"
    return content_type
