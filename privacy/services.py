"""Personal data on request: look a person up by email address, export everything held
about them, erase them. The rows come from the registry (core/privacy.py), so a new model
that registers is looked up, exported and erased with no change here."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import FileField
from django.utils import timezone

from accounts.models import User
from core import privacy
from core.policies import StaffRole
from core.services import save_with_history

from .models import ErasureRecord

ERASURE_REASON = "Personal data erased on request"
NOTHING_HELD = "Nothing is held about that address."


@dataclass(frozen=True)
class PersonData:
    """What is held about one email address."""

    email: str
    targets: privacy.Targets
    rows: dict[str, list[dict]]
    users: list[User]

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.rows.values())

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(what, model label, rows), e.g. ("Historical customers", "customers.HistoricalCustomer", 3)."""
        return sorted(
            (
                str(apps.get_model(label)._meta.verbose_name_plural).capitalize(),
                label,
                len(rows),
            )
            for label, rows in self.rows.items()
        )


def clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an email address."}) from None
    return email


def person_find(*, email: str) -> PersonData:
    """Every registered row and history row about ``email`` (read only)."""
    email = clean_email(email)
    targets = privacy.person_targets(email)
    strings = privacy.collect_mentions(targets)
    rows = privacy.person_rows(targets, strings)
    users = list(User.objects.filter(pk__in=targets.user_ids).order_by("pk"))
    return PersonData(email=email, targets=targets, rows=rows, users=users)


# --- Export ----------------------------------------------------------------------------


def person_export(*, email: str) -> tuple[str, str, bytes]:
    """(file name, content type, content): a JSON document of every row about the person;
    a zip of it and the files those rows point to when there are any."""
    found = person_find(email=email)
    if not found.total:
        raise ValidationError(NOTHING_HELD)
    return export_file(email=found.email, rows=found.rows)


def export_file(*, email: str, rows: dict[str, list[dict]]) -> tuple[str, str, bytes]:
    document = {"email": email, "exported_at": timezone.now(), "records": rows}
    data = json.dumps(document, cls=ExportEncoder, indent=2, ensure_ascii=False).encode()
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    files = list(_files_of(rows))
    if not files:
        return f"personal-data-{stamp}.json", "application/json", data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("personal-data.json", data)
        for arcname, path in files:
            with default_storage.open(path, "rb") as handle:
                archive.writestr(arcname, handle.read())
    return f"personal-data-{stamp}.zip", "application/zip", buffer.getvalue()


class ExportEncoder(DjangoJSONEncoder):
    def default(self, o):
        try:
            return super().default(o)
        except TypeError:
            return str(o)  # phone numbers, countries, file names


def _files_of(rows: dict[str, list[dict]]):
    """(name in the zip, storage path) of every file a row of the person points to."""
    for label, records in rows.items():
        model = apps.get_model(label)
        file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, FileField)]
        for record in records:
            for name in file_fields:
                path = record.get(name)
                if path and default_storage.exists(path):
                    yield f"files/{label}/{record.get('id')}/{PurePosixPath(path).name}", path


# --- Erasure ---------------------------------------------------------------------------


@transaction.atomic
def person_erase(*, email: str, reason: str, actor: User) -> ErasureRecord:
    """Overwrite the person's personal fields everywhere (rows and history), deactivate and
    anonymise their accounts, and record the erasure without the erased data. Refused for
    the caller's own account and for the last active owner."""
    email = clean_email(email)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why (e.g. the person's request and its date)."})
    targets = privacy.person_targets(email)
    users = list(User.objects.select_for_update().filter(pk__in=targets.user_ids).order_by("pk"))
    _check_accounts(users, actor)
    strings = privacy.collect_mentions(targets)
    if not privacy.person_rows(targets, strings):
        raise ValidationError({"email": NOTHING_HELD})
    lowered = reason.lower()
    if any(s.lower() in lowered for s in strings):
        raise ValidationError(
            {"reason": "Leave the person's email, name and phone out of the reason."}
        )
    rows = privacy.erase(targets, strings=strings)
    for queryset in privacy.deletable(targets):
        for label, count in queryset.delete()[1].items():
            rows[label] = rows.get(label, 0) + count
    for user in users:
        user.refresh_from_db()
        user.is_active = False
        user.set_unusable_password()
        save_with_history(user, actor=actor, reason=ERASURE_REASON)
    return ErasureRecord.objects.create(
        actor=actor, reason=reason, rows=rows, accounts_deactivated=len(users)
    )


def _check_accounts(users: list[User], actor: User) -> None:
    for user in users:
        if user.pk == actor.pk:
            raise ValidationError({"email": "You cannot erase your own account."})
        if user.role == StaffRole.OWNER and user.is_active:
            others = User.objects.filter(role=StaffRole.OWNER, is_active=True).exclude(
                pk__in=[u.pk for u in users]
            )
            if not others.exists():
                raise ValidationError(
                    {"email": "This is the workspace's last owner: make someone else owner first."}
                )
