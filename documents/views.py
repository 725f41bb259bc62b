"""The console's documents: the customer page's Documents tab, the panels of the location and
asset pages, a document's page (versions, edit, new version, share, archive), uploads and
downloads. Every record and document comes through the policy layer (``access``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from assets.panels import AssetPanel
from core.forms import add_service_errors
from core.generic import ObjectDetailView
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for
from customers.views.detail import CustomerPageMixin
from locations.views import LocationPanel

from . import services
from .downloads import version_response
from .files import max_bytes, too_large_message
from .forms import DocumentEditForm, DocumentUploadForm, DocumentVersionForm
from .models import Document, DocumentVersion

PER_PAGE = 25


def record_url(document_or_record) -> str:
    record = getattr(document_or_record, "record", document_or_record)
    if record._meta.model_name == "customer":
        return reverse("customers:customer_documents", kwargs={"pk": record.pk})
    return record.get_absolute_url()


def documents_page(request, documents, *, page_param: str = "documents-page"):
    """One page of a record's documents, with what the list prints (constant queries)."""
    paginator = Paginator(documents.for_list().order_by("title", "pk"), PER_PAGE)
    return paginator.get_page(request.GET.get(page_param))


def upload_refused(request, limit: int) -> str:
    """The request-level check: a body (or file) larger than the limit is refused with a
    message before the form looks at it. The upload handler skipped such a file already."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if getattr(request, "upload_too_large", False) or length > limit + 1024 * 1024:
        return too_large_message(length or None)
    return ""


class RecordDocumentsMixin:
    """The documents list and upload form of one record (customer, location or asset)."""

    record_type = ""

    def documents_context(self, request, record) -> dict:
        scope = scope_for(request.user)
        # A deleted customer's own page (admins, to restore it) shows its documents too.
        deleted = getattr(record, "deleted_at", None) is not None
        documents = Document.objects.restrict(scope, include_deleted=deleted).of_record(record)
        show_archived = request.GET.get("documents-archived") == "1"
        documents = documents if show_archived else documents.live()
        can_edit = user_can(request.user, Capability.EDIT_RECORDS) and not getattr(
            record, "deleted_at", None
        )
        return {
            "documents": documents_page(request, documents),
            "show_archived": show_archived,
            "record_type": self.record_type,
            "record": record,
            "upload_form": DocumentUploadForm() if can_edit else None,
            "upload_url": reverse(
                "documents:document_upload",
                kwargs={"record_type": self.record_type, "record_id": record.pk},
            ),
        }


class CustomerDocumentsView(RecordDocumentsMixin, CustomerPageMixin, ObjectDetailView):
    """The customer page's Documents tab (registered in DocumentsConfig.ready)."""

    template_name = "documents/customer_documents.html"
    tab = "documents"
    record_type = "customer"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["documents_panel"] = self.documents_context(self.request, self.object)
        return context


class LocationDocumentsPanel(RecordDocumentsMixin, LocationPanel):
    template_name = "documents/_documents.html"
    record_type = "location"
    order = 200

    def get_context_data(self) -> dict:
        return self.documents_context(self.request, self.object)


class AssetDocumentsPanel(RecordDocumentsMixin, AssetPanel):
    template_name = "documents/_documents.html"
    record_type = "asset"
    order = 200

    def get_context_data(self) -> dict:
        return self.documents_context(self.request, self.object)


class DocumentFormMixin(ConsoleAccessMixin, BreadcrumbsMixin):
    """A form that writes through a service; a refused upload or a service's error lands on
    the form (a clear message, nothing written)."""

    required_capability = Capability.EDIT_RECORDS
    template_name = "documents/document_form.html"
    title = ""
    submit_label = "Save"
    multipart = False

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def post(self, request, *args, **kwargs):
        refused = upload_refused(request, max_bytes()) if self.multipart else ""
        if refused:
            form = self.get_form_class()(data=request.POST, user=request.user)
            form.is_valid()
            form.errors.clear()
            form.add_error(None, refused)
            return self.form_invalid(form)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            result = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return self.saved(result)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            submit_label=self.submit_label,
            multipart=self.multipart,
            cancel_url=self.cancel_url(),
        )
        return context


class DocumentUploadView(DocumentFormMixin, FormView):
    form_class = DocumentUploadForm
    submit_label = "Upload"
    multipart = True
    nav_section = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_can(request.user, self.required_capability):
            self.record = services.record_within_scope(
                actor=request.user,
                record_type=kwargs["record_type"],
                record_id=kwargs["record_id"],
            )
            if getattr(self.record, "deleted_at", None):
                raise Http404("No such record.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self) -> str:
        return f"Upload a document to {self.record}"

    def cancel_url(self) -> str:
        return record_url(self.record)

    def get_breadcrumbs(self):
        return [(str(self.record), record_url(self.record)), ("Upload a document", None)]

    def save(self, form):
        data = form.cleaned_data
        return services.document_create(
            actor=self.request.user,
            record_type=self.kwargs["record_type"],
            record_id=self.record.pk,
            file=data["file"],
            title=data["title"],
            description=data["description"],
            shared_with_portal=data["shared_with_portal"],
        )

    def saved(self, document):
        messages.success(self.request, f"Uploaded {document}.")
        return redirect(document)


class DocumentAccessMixin:
    """The document in the URL, within the asker's reach for ``scope_action``."""

    scope_action = "view"

    def get_document(self) -> Document:
        if not hasattr(self, "_document"):
            self._document = access(
                Document.objects.select_related(
                    "customer", "location", "asset", "current", "current__uploaded_by"
                ),
                scope_for(self.request.user),
                self.kwargs["pk"],
                self.scope_action,
            )
        return self._document

    def get_breadcrumbs(self):
        document = self.get_document()
        return [
            (str(document.record), record_url(document)),
            (str(document), document.get_absolute_url()),
        ]


class DocumentDetailView(DocumentAccessMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "documents/document_detail.html"

    def get_breadcrumbs(self):
        return super().get_breadcrumbs()[:-1] + [(str(self.get_document()), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        document = self.get_document()
        user = self.request.user
        can_edit = user_can(user, Capability.EDIT_RECORDS)
        context.update(
            document=document,
            record=document.record,
            record_kind=document.record._meta.verbose_name,
            record_url=record_url(document),
            versions=list(document.versions.select_related("uploaded_by")),
            history=list(document.history.select_related("history_user")[:50]),
            can_edit=can_edit,
            can_manage=user_can(user, Capability.MANAGE_RECORDS),
            edit_form=DocumentEditForm(
                initial={"title": document.title, "description": document.description}
            )
            if can_edit
            else None,
            version_form=DocumentVersionForm() if can_edit and not document.is_archived else None,
        )
        return context


class DocumentUpdateView(DocumentAccessMixin, DocumentFormMixin, FormView):
    form_class = DocumentEditForm
    scope_action = "change"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_can(request.user, self.required_capability):
            self.get_document()
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self) -> str:
        return f"Edit {self.get_document()}"

    def cancel_url(self) -> str:
        return self.get_document().get_absolute_url()

    def get_initial(self):
        document = self.get_document()
        return {"title": document.title, "description": document.description}

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), ("Edit", None)]

    def save(self, form):
        return services.document_update(
            actor=self.request.user, document_id=self.get_document().pk, data=form.cleaned_data
        )

    def saved(self, document):
        messages.success(self.request, f"Saved {document}.")
        return redirect(document)


class DocumentVersionAddView(DocumentAccessMixin, DocumentFormMixin, FormView):
    form_class = DocumentVersionForm
    scope_action = "change"
    submit_label = "Upload"
    multipart = True

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_can(request.user, self.required_capability):
            self.get_document()
        return super().dispatch(request, *args, **kwargs)

    @property
    def title(self) -> str:
        return f"Upload a new version of {self.get_document()}"

    def cancel_url(self) -> str:
        return self.get_document().get_absolute_url()

    def get_breadcrumbs(self):
        return [*super().get_breadcrumbs(), ("New version", None)]

    def save(self, form):
        return services.document_version_add(
            actor=self.request.user,
            document_id=self.get_document().pk,
            file=form.cleaned_data["file"],
        )

    def saved(self, version):
        messages.success(self.request, f"Uploaded version {version.number}.")
        return redirect(self.get_document())


class DocumentStateView(DocumentAccessMixin, ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """Share/unshare (POST only) and archive/restore (GET asks to confirm)."""

    template_name = "core/confirm_action.html"
    action = ""  # "share", "unshare", "archive", "restore"
    scope_action = "change"

    ACTIONS = {
        "share": ("Share with the portal", "btn-primary", Capability.EDIT_RECORDS),
        "unshare": ("Stop sharing", "btn-outline-secondary", Capability.EDIT_RECORDS),
        "archive": ("Archive", "btn-warning", Capability.MANAGE_RECORDS),
        "restore": ("Restore", "btn-primary", Capability.MANAGE_RECORDS),
    }
    EXPLANATIONS = {
        "share": "The company's portal users will see this document and may download it.",
        "unshare": "The company's portal users will no longer see this document.",
        "archive": "Archived documents leave the lists and the portal; their versions stay "
        "and the document can be restored.",
        "restore": "The document returns to the lists (it is not shared again by itself).",
    }

    @property
    def required_capability(self):
        return self.ACTIONS[self.action][2]

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and user_can(request.user, self.required_capability):
            if self.action in ("archive", "restore"):
                self.scope_action = "delete"
            self.get_document()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.action in ("share", "unshare"):
            return redirect(self.get_document())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        verb, button_class, _ = self.ACTIONS[self.action]
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.get_document(),
            verb=verb,
            button_class=button_class,
            explanation=self.EXPLANATIONS[self.action],
        )
        return context

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        try:
            if self.action in ("share", "unshare"):
                services.document_set_shared(
                    actor=request.user, document_id=document.pk, shared=self.action == "share"
                )
            else:
                services.document_set_archived(
                    actor=request.user, document_id=document.pk, archived=self.action == "archive"
                )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{self.ACTIONS[self.action][0]}: done.")
        return redirect(document)


class VersionDownloadView(ConsoleAccessMixin, View):
    """A version's bytes, after the scope check on its document (the same 404 for a
    version of a document out of reach as for one that does not exist)."""

    def get(self, request, pk, vid):
        document = access(Document.objects.all(), scope_for(request.user), pk, "view")
        version = DocumentVersion.objects.filter(document=document, pk=vid).first()
        if version is None:
            raise Http404("No such version.")
        return version_response(version)
