"""Where documents' bytes live: the ``documents`` alias of Django's STORAGES (a private
directory, or an S3-compatible bucket with ``DOCUMENTS_STORAGE=s3``). Nothing here has a
public URL: the app's download views stream the bytes after checking the scope."""

from __future__ import annotations

import contextlib
import secrets

from django.core.files.storage import FileSystemStorage, storages
from django.db import connection


class PrivateFileSystemStorage(FileSystemStorage):
    """A directory outside MEDIA_ROOT with no URL: the media route cannot reach it and no
    template can link to a file directly."""

    def url(self, name):
        raise ValueError("Documents have no public URL; download them through the app.")


def documents_storage():
    """The storage, looked up per call so a test (or a settings change) gets the current one."""
    return storages["documents"]


def new_key(folder: str = "documents") -> str:
    """A key for one stored file: the tenant's schema, then a random token nobody can
    guess. The uploaded name is kept in the database only, never in the key."""
    return f"{connection.schema_name}/{folder}/{secrets.token_hex(20)}"


def store_upload(file, *, folder: str = "documents"):
    """Check an upload (``files.inspect_upload``: a ValidationError on ``file`` if refused)
    and store its bytes under a new key: ``(key, Inspected)``. The caller writes its rows
    next and calls ``discard(key)`` if they cannot be written."""
    from .files import inspect_upload

    inspected = inspect_upload(file)
    return documents_storage().save(new_key(folder), file), inspected


def discard(key: str) -> None:
    """Remove stored bytes whose rows were not written (a missing storage: nothing to undo)."""
    with contextlib.suppress(OSError):
        documents_storage().delete(key)
