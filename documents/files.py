"""What an uploaded file must be before it is stored: not empty, within the size limit, of an
allowed type by its extension AND by its first bytes (magic numbers; no new dependency), and
named safely. Also what a download may do: only images and PDFs are ever shown inline."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

OOXML = "ooxml"
ODF = "odf"
OLE = "ole"
TEXT = "text"

# extension → (the content type it is served as, the kind its first bytes must show)
ALLOWED_TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "zip": ("application/zip", "zip"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", OOXML),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", OOXML),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", OOXML),
    "odt": ("application/vnd.oasis.opendocument.text", ODF),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", ODF),
    "odp": ("application/vnd.oasis.opendocument.presentation", ODF),
    "doc": ("application/msword", OLE),
    "xls": ("application/vnd.ms-excel", OLE),
    "ppt": ("application/vnd.ms-powerpoint", OLE),
    "txt": ("text/plain", TEXT),
    "csv": ("text/csv", TEXT),
}
ALLOWED_LABEL = "PDF, images (PNG, JPEG, GIF, WebP), Office documents, text, CSV or ZIP"

# Types a browser may show in the page; everything else (HTML, SVG, XML, text…) is always
# an attachment. The response also carries nosniff and a CSP that runs nothing.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})

SNIFF_BYTES = 8192
CHUNK = 64 * 1024


def max_bytes() -> int:
    return settings.DOCUMENTS_MAX_BYTES


def human_limit() -> str:
    return filesizeformat(max_bytes())


def too_large_message(size: int | None = None) -> str:
    about = f"The file is about {filesizeformat(size)}; " if size else "The file is too large; "
    return f"{about}the limit is {human_limit()}."


_UNSAFE = re.compile(r"[^\w .()\[\]+,-]", re.UNICODE)


def clean_name(name: str) -> str:
    """A file name safe to keep and to send back: no path, no control characters, nothing a
    header or a file system could misread, at most 200 characters with its extension."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = " ".join(name.split()).strip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension[:10]
    stem = stem[: 200 - len(extension) - 1].strip(" .") or "document"
    return f"{stem}.{extension}" if extension else stem


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _is_text(head: bytes) -> bool:
    """UTF-8 (an ASCII CSV is too) without control characters but tabs and line breaks."""
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


def sniff(head: bytes, upload=None) -> str:
    """The kind of file its first bytes show ("" when none of the allowed kinds)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(upload)
    if _is_text(head):
        return TEXT
    return ""


def _zip_kind(upload) -> str:
    """A ZIP archive, or the Office document (OOXML, OpenDocument) packed in one."""
    if upload is None:
        return "zip"
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                return OOXML
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                    return ODF
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return ""
    finally:
        upload.seek(0)
    return "zip"


@dataclass(frozen=True)
class Inspected:
    name: str
    content_type: str
    size: int
    sha256: str


def inspect_upload(upload) -> Inspected:
    """Check an uploaded file (a Django ``File``) and describe it, or raise a
    ValidationError on ``file`` saying what is wrong. Reads the file once, in chunks."""
    name = clean_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if size > max_bytes():
        raise ValidationError({"file": too_large_message(size)})
    extension = extension_of(name)
    if extension not in ALLOWED_TYPES:
        shown = f".{extension} files" if extension else "Files without an extension"
        raise ValidationError({"file": f"{shown} cannot be uploaded. Allowed: {ALLOWED_LABEL}."})
    content_type, expected = ALLOWED_TYPES[extension]
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    found = sniff(head, upload)
    # A ZIP-based Office file is also a ZIP: .zip takes any of them.
    if found != expected and not (expected == "zip" and found in (OOXML, ODF)):
        raise ValidationError(
            {
                "file": f"The file's contents are not a .{extension} file "
                f"(its name says .{extension}, its first bytes do not)."
            }
        )
    digest = hashlib.sha256()
    upload.seek(0)
    counted = 0
    for chunk in iter(lambda: upload.read(CHUNK), b""):
        digest.update(chunk)
        counted += len(chunk)
        if counted > max_bytes():
            raise ValidationError({"file": too_large_message(counted)})
    upload.seek(0)
    if counted == 0:
        raise ValidationError({"file": "The file is empty."})
    return Inspected(name=name, content_type=content_type, size=counted, sha256=digest.hexdigest())


def disposition_inline(content_type: str) -> bool:
    return content_type in INLINE_TYPES
