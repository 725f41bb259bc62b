"""One write path: writes with side effects happen in services, never in views, forms or
querysets. This scans the application code (not tests, migrations, demo data or bench) and
fails on a write outside a service module, naming file and line."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Every app package of this repository (an apps.py beside its __init__.py), so a new app is
# scanned without a list to edit; config and bench are not apps.
APPS = tuple(
    sorted(path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "demo")
)
QUERYSET_WRITES = {
    "update",
    "delete",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}
GENERIC_EDIT_VIEWS = {"CreateView", "UpdateView", "DeleteView", "ModelFormMixin", "DeletionMixin"}

# Modules that are write paths themselves, each with the reason.
ALLOWED_MODULES = {
    # Services by another name: token issue/revoke/last-used bookkeeping.
    "accounts/tokens.py",
    # The user manager's create_user/create_superuser (Django's contract).
    "accounts/managers.py",
    # allauth signal receivers: sign-in records and verified addresses, written by allauth's
    # own flows (they run inside allauth's request handling, not a view of ours).
    "accounts/signals.py",
    # Owner's team/access services (customers' second services module).
    "customers/access.py",
    # The shared write helpers every service uses.
    "core/services.py",
    # The task queue's bookkeeping (job rows, tenant iteration).
    "core/tasks.py",
    # Per-tenant backup and restore, a platform operator's tool that writes whole schemas.
    "tenants/backup.py",
    # The API rate limit's counters (one UPSERT per request, old windows purged by the
    # worker): bookkeeping of the throttle itself, not a record anyone edits.
    "core/throttle.py",
    # The import engine is the imports app's service layer (dry run, all-or-nothing commit).
    "imports/engine.py",
    "imports/bulk.py",
    "imports/usage.py",
    # Webhook delivery bookkeeping (attempts, responses), run by the worker.
    "webhooks/tasks.py",
    # The portal's email-domain services (claim, verify, remove), beside its DNS check.
    "portal/domains.py",
    # Merge rules each app registers (customers.services_merge calls them inside
    # merge_customers' transaction, which records the history of both customers).
    "billing/merging.py",
    "portal/merging.py",
    "customers/services_merge.py",
    # A user's own list columns and saved views (personal preferences, not records), and the
    # bulk-change job's progress rows; each row a bulk job changes goes through its service.
    "core/list_prefs.py",
    "core/bulk.py",
    # Big exports' job rows (progress, the file) and the user's notification list: both the
    # services of what they write (core.exports, core.notifications).
    "core/exports.py",
    "core/notifications.py",
    # The import engine's custom-field and tag columns (part of its all-or-nothing commit).
    "imports/custom_columns.py",
    # Checked upload bytes stored for the services that write their rows next (documents',
    # tickets'), and removed again when those rows are not written.
    "documents/storage.py",
    # The service desk's other services: mail in and triage, merging, ratings, service
    # levels (each locks, writes history and tells people after commit like tickets.services).
    "tickets/inbound.py",
    "tickets/merging.py",
    "tickets/rating.py",
    "tickets/services_sla.py",
    "tickets/time_log.py",
    "tickets/imap.py",
}


def relative_name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def is_exempt(path: Path) -> bool:
    relative = relative_name(path)
    parts = relative.split("/")
    return (
        "migrations" in parts
        or "management" in parts
        or parts[-1] in ("services.py", "demo.py", "tasks.py")
        or "services" in parts[:-1]
        or relative in ALLOWED_MODULES
    )


# Single calls allowed outside services, each with the reason.
ALLOWED_CALLS = {
    # The billing settings singleton is created on first read (one row, no history needed).
    ("billing/models.py", "cls.objects.get_or_create"),
    # The seller profile singleton likewise (its changes go through the seller service).
    ("billing/models_tax.py", "cls.objects.get_or_create"),
}


def looks_like_a_queryset(receiver: str) -> bool:
    if receiver.startswith("super()"):
        return False  # DRF's update() hands over to perform_update, which calls a service
    return (
        "objects" in receiver
        or any(f".{m}(" in receiver for m in ("filter", "exclude", "all", "select_for_update"))
        or receiver in ("queryset", "qs")
        or receiver.endswith("_set")
    )


def hands_form_to_a_service(node: ast.ClassDef) -> bool:
    """A generic edit view whose form_valid calls a service instead of the form's save."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "form_valid":
            source = ast.unparse(item)
            return "super().form_valid" not in source and "form.save()" not in source
    return False


def receiver_text(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression we have
        return ""


def writes_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    models_module = path.name == "models.py" or path.parent.name == "models"
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            bases = {receiver_text(base).split(".")[-1] for base in node.bases}
            if bases & GENERIC_EDIT_VIEWS and not hands_form_to_a_service(node):
                found.append(f"{node.lineno}: class {node.name} saves through a generic edit view")
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, receiver = node.func.attr, receiver_text(node.func.value)
        keywords = {kw.arg: receiver_text(kw.value) for kw in node.keywords}
        if (relative_name(path), f"{receiver}.{name}") in ALLOWED_CALLS:
            continue
        if name == "save":
            if keywords.get("commit") == "False":
                continue  # an unsaved instance handed to a service
            if models_module and receiver.startswith("super()"):
                continue  # a model's own save() override
            if receiver == "self" and node.args:
                continue  # a shared form view's save(form) hook, which calls a service
            if receiver in ("workbook", "spool", "buffer"):
                continue  # files, not records
            found.append(f"{node.lineno}: {receiver}.save()")
        elif name in QUERYSET_WRITES and looks_like_a_queryset(receiver):
            found.append(f"{node.lineno}: {receiver}.{name}()")
        elif name == "delete" and not node.args and not node.keywords:
            found.append(f"{node.lineno}: {receiver}.delete()")
    return found


def test_writes_happen_only_in_services():
    offenders = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if is_exempt(path):
                continue
            for write in writes_in(path):
                offenders.append(f"{relative_name(path)}:{write}")
    assert not offenders, "Writes outside services:\n" + "\n".join(offenders)


def test_the_scan_finds_a_write_in_a_view(tmp_path):
    """The scanner itself works: a view that saves a form and updates a queryset is caught."""
    view = tmp_path / "views.py"
    view.write_text(
        "from django.views.generic import UpdateView\n"
        "class V(UpdateView):\n    pass\n"
        "def f(form, qs):\n    form.save()\n    Thing.objects.filter(a=1).update(b=2)\n"
        "    obj.delete()\n    context.update(a=1)\n    form.save(commit=False)\n"
        "    Thing.objects.bulk_create([])\n    self.queryset.filter(a=1).delete()\n"
    )
    found = writes_in(view)
    assert len(found) == 6, found
