"""Every write to documents: upload (a new document or a new version), rename/describe,
share/unshare with the company's portal, archive/restore, and the purge reaction.

Each starts from the actor's scope (``core.querysets.access``: the record within reach, else
the same 404 whether it is missing or another company's), locks what it changes, writes
history with the actor and a reason, and keeps nothing partial: the bytes are stored before
the rows, and removed again if the rows cannot be written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import User
from assets.models import Asset
from core.querysets import access
from core.scope import scope_for
from core.services import model_update, save_with_history
from customers.models import Customer
from locations.models import Location

from .models import Document, DocumentVersion
from .storage import discard, documents_storage, store_upload

RECORD_MODELS: dict[str, type] = {"customer": Customer, "location": Location, "asset": Asset}
EDITABLE_FIELDS = ("title", "description")


def record_within_scope(*, actor: User, record_type: str, record_id, action: str = "change"):
    """The customer, location or asset ``record_id`` as ``actor`` may reach it for
    ``action``, or the 404 of a record that does not exist."""
    from django.http import Http404

    model = RECORD_MODELS.get(record_type)
    if model is None:
        raise Http404("No such record.")
    return access(model.objects.all(), scope_for(actor), record_id, action)


def _document_for(actor: User, document_id, action: str) -> Document:
    """The document within the actor's reach for ``action``, locked (its own row only)."""
    return access(
        Document.objects.select_for_update(of=("self",)), scope_for(actor), document_id, action
    )


def _add_version(document: Document, *, stored: str, inspected, actor: User | None):
    number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=inspected.name,
        size=inspected.size,
        content_type=inspected.content_type,
        sha256=inspected.sha256,
        uploaded_by=actor,
    )
    version.file.name = stored
    version.full_clean()
    version.save()
    return version


def document_create(
    *,
    actor: User,
    record_type: str,
    record_id: int,
    file,
    title: str = "",
    description: str = "",
    shared_with_portal: bool = False,
) -> Document:
    """A new document with its first version on a customer, location or asset the actor may
    change. The file is checked (size, type by extension and content, name) before anything
    is stored."""
    record = record_within_scope(actor=actor, record_type=record_type, record_id=record_id)
    stored, inspected = store_upload(file)
    try:
        with transaction.atomic():
            document = Document(
                **{record_type: record},
                title=(title or "").strip() or inspected.name,
                description=(description or "").strip(),
                shared_with_portal=bool(shared_with_portal),
            )
            save_with_history(document, actor=actor, reason=f"Uploaded {inspected.name}")
            version = _add_version(document, stored=stored, inspected=inspected, actor=actor)
            Document.objects.filter(pk=document.pk).update(current=version)
            document.current = version
    except BaseException:
        discard(stored)
        raise
    return document


def document_version_add(*, actor: User, document_id: int, file) -> DocumentVersion:
    """A new version of a document (it becomes the current one); an archived document
    takes none until it is restored."""
    stored = None
    try:
        with transaction.atomic():
            document = _document_for(actor, document_id, "change")
            if document.is_archived:
                raise ValidationError("The document is archived: restore it to add a version.")
            stored, inspected = store_upload(file)
            version = _add_version(document, stored=stored, inspected=inspected, actor=actor)
            document.current = version
            save_with_history(
                document, actor=actor, reason=f"Version {version.number}: {inspected.name}"
            )
    except BaseException:
        if stored:
            discard(stored)
        raise
    return version


@transaction.atomic
def document_update(*, actor: User, document_id: int, data: dict[str, Any]) -> Document:
    """Rename or describe a document (``title``, ``description``); nothing else changes here."""
    document = _document_for(actor, document_id, "change")
    data = {key: (value or "").strip() for key, value in data.items()}
    if "title" in data and not data["title"]:
        raise ValidationError({"title": "A document needs a title."})
    document, _ = model_update(
        instance=document, fields=list(EDITABLE_FIELDS), data=data, actor=actor, reason="Edited"
    )
    return document


@transaction.atomic
def document_set_shared(*, actor: User, document_id: int, shared: bool) -> Document:
    """Show the document in the company's portal, or stop showing it."""
    document = _document_for(actor, document_id, "change")
    if shared and document.is_archived:
        raise ValidationError("An archived document cannot be shared; restore it first.")
    reason = "Shared with the portal" if shared else "No longer shared with the portal"
    document, _ = model_update(
        instance=document,
        fields=["shared_with_portal"],
        data={"shared_with_portal": bool(shared)},
        actor=actor,
        reason=reason,
    )
    return document


@transaction.atomic
def document_set_archived(*, actor: User, document_id: int, archived: bool) -> Document:
    """Archive a document (it leaves the lists and the portal; its versions stay) or
    restore it. Needs the right to manage records."""
    document = _document_for(actor, document_id, "delete")
    document, _ = model_update(
        instance=document,
        fields=["is_archived"],
        data={"is_archived": bool(archived)},
        actor=actor,
        reason="Archived" if archived else "Restored",
    )
    return document


def documents_customer_purged(customer, *, actor: User | None) -> None:
    """Reaction to a customer's purge (registered in DocumentsConfig.ready): the documents of
    the customer and of its locations go with them, and their stored files once the purge
    has committed. An asset's documents stay with the asset (it becomes the tenant's)."""
    doomed = Document.objects.filter(Q(customer=customer) | Q(location__customer=customer))
    keys = list(
        DocumentVersion.objects.filter(document__in=doomed.values("pk")).values_list(
            "file", flat=True
        )
    )
    Document.objects.filter(pk__in=doomed.values("pk")).update(current=None)
    Document.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()

    def remove_files() -> None:
        for key in keys:
            discard(key)

    transaction.on_commit(remove_files)


# Other apps' folders in the documents storage, each with how to tell which of its keys
# are still named by a row (tickets: attachments and raw emails); registered from an
# AppConfig.ready(), so documents imports none of them.
_swept_folders: dict[str, Callable[[list[str]], set[str]]] = {}


def register_swept_folder(folder: str, known_keys: Callable[[list[str]], set[str]]) -> None:
    _swept_folders[folder] = known_keys


def _known_versions(keys: list[str]) -> set[str]:
    return set(DocumentVersion.objects.filter(file__in=keys).values_list("file", flat=True))


def documents_sweep_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Remove stored files of the current tenant that no row names (a version, a ticket's
    attachment, a raw email): what a process killed between storing an upload and committing
    its rows (or an outer transaction rolled back after the service) left behind. Files
    younger than ``older_than`` are left alone (an upload may be committing right now).
    Returns how many were removed."""
    storage = documents_storage()
    cutoff = timezone.now() - older_than
    removed = 0
    for name, known_keys in {"documents": _known_versions, **_swept_folders}.items():
        folder = f"{connection.schema_name}/{name}"
        try:
            _dirs, names = storage.listdir(folder)
        except (FileNotFoundError, OSError):
            continue
        keys = sorted(f"{folder}/{entry}" for entry in names)
        known = known_keys(keys)
        for key in keys:
            if key not in known and storage.get_modified_time(key) < cutoff:
                discard(key)
                removed += 1
    return removed
