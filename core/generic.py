"""The shared list / detail / form machinery. App views are a few declarative attributes:

class CustomerListView(ObjectListView):
    model = Customer
    filterset_class = CustomerFilterSet
    table_class = CustomerTable
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, TemplateView
from django.views.generic.detail import SingleObjectMixin
from django_tables2 import RequestConfig

from . import exports, list_prefs
from .bulk import SELECT_ALL_MAX
from .exports import FORMATS, neutralise_formula, write_xlsx
from .forms import add_service_errors
from .mixins import BreadcrumbsMixin, ConsoleAccessMixin
from .pagination import paginate
from .policies import Capability, may_import, user_can
from .querysets import access
from .scope import Scope, scope_for
from .views_exports import export_offer

PER_PAGE_CHOICES = (10, 25, 50, 100)
EXPORT_CHUNK = 2000
DEFAULT_PER_PAGE = 25
# Filters shown beside the search box; the others wait behind "More filters".
PRIMARY_FILTERS = 4


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def stream() -> Iterator[str]:
        yield "\ufeff"  # so spreadsheet programs read UTF-8
        for row in rows:
            yield writer.writerow([neutralise_formula(cell) for cell in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CappedCountPaginator(Paginator):
    """Counts at most ``cap`` + 1 rows. A broad search over a big table can match tens of
    thousands of rows; counting them all costs more than the page itself. Beyond the cap the
    page says "1,000+" and asks for a narrower search."""

    cap = 1000

    @cached_property
    def count(self) -> int:
        rows = self.object_list  # django-tables2 hands over its rows, which wrap the queryset
        queryset = getattr(getattr(rows, "data", None), "data", rows)
        if hasattr(queryset, "order_by"):
            return queryset.order_by()[: self.cap + 1].count()
        return len(rows)

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap


def paginate_table(table, request, *, capped: bool = False, page_param: str = "page") -> None:
    """Paginate with our own page-size rules (django-tables2 would take any ?per_page=):
    numbered pages first, keyset pages through a cursor beyond them (core.pagination)."""
    paginate(
        table,
        request,
        paginator_class=CappedCountPaginator if capped else Paginator,
        per_page=per_page_from(request),
        page_param=page_param,
    )


def cell_getter(table, name: str):
    """How an export reads one column: the table's ``value_<name>`` if it has one, else the
    field's display value. Plain Python per cell: django-tables2's own machinery inspects
    signatures per cell and made a 100,000-row export take minutes."""
    value_method = getattr(table, f"value_{name}", None)
    if value_method is not None:
        return value_method

    def get(record):
        display = getattr(record, f"get_{name}_display", None)
        if display is not None:
            return display()
        value = getattr(record, name, None)
        if hasattr(value, "code") and hasattr(value, "name"):  # a django-countries Country
            return value.name
        return "" if value is None else value

    return get


def xlsx_response(filename: str, header: list[str], rows: Iterable[Iterable]) -> FileResponse:
    """An .xlsx written row by row (openpyxl's write-only mode) to a temporary file."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write_xlsx(spool, header, rows)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=filename,
        content_type=FORMATS["xlsx"][1],
    )


def per_page_from(request) -> int:
    try:
        value = int(request.GET.get("per_page", DEFAULT_PER_PAGE))
    except (TypeError, ValueError):
        return DEFAULT_PER_PAGE
    return value if value in PER_PAGE_CHOICES else DEFAULT_PER_PAGE


class ScopedViewMixin:
    """The asker's scope, the only input to what a view reads (``restrict``), and the action
    its reads are for: a list and a page "view", an edit or a state change "change"."""

    scope_action = "view"

    @property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    def scoped(self, model=None, *, include_deleted: bool = False) -> QuerySet:
        model = model or self.model
        return model.objects.restrict(
            self.scope, self.scope_action, include_deleted=include_deleted
        )


class ListMachinery(ScopedViewMixin, TemplateView):
    """Filter → table → paginate, with an htmx partial for live search and a CSV export of
    exactly the filtered rows and visible columns. No access rules of its own: the console's
    lists add its roles (ObjectListView), the portal's lists the portal's rules."""

    model = None
    filterset_class = None
    table_class = None
    template_name = "core/object_list.html"
    results_template_name = "components/object_list_results.html"
    # What a live search (htmx) gets: the results, and whatever else the list updates with
    # them out of band (the customer list's type cards); by default the results alone.
    partial_template_name = ""
    export_name = "export"
    add_url_name: str | None = None
    add_capability = Capability.EDIT_RECORDS
    # Lists that grow by millions (invoices, payments, assets) count up to the cap even
    # unfiltered.
    always_cap_count = False
    # "customers", "locations" or "assets": an Import button beside the export buttons.
    import_kind: str | None = None
    # Per-user columns and saved views (console lists register under this key, see
    # ObjectListView); None: the table's columns, no saved views.
    list_key: str | None = None
    # core.bulk.BulkAction instances offered on the selected rows.
    bulk_actions: tuple = ()

    def get_queryset(self) -> QuerySet:
        return self.scoped()

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET or None, queryset=self.get_queryset(), request=self.request
        )

    def get_table(self, queryset):
        # No request= here: django-tables2 would paginate at once, by its own rules.
        table = self.table_class(
            queryset, can_edit=user_can(self.request.user, Capability.EDIT_RECORDS)
        )
        if self.usable_bulk_actions() and "selection" not in table.columns.columns:
            add_selection_column(table)
        return table

    @cached_property
    def _usable_bulk_actions(self) -> list:
        return [action for action in self.bulk_actions if action.available_to(self.request.user)]

    def usable_bulk_actions(self) -> list:
        return self._usable_bulk_actions

    @cached_property
    def list_state(self) -> list_prefs.ListState:
        if not self.list_key or not self.request.user.is_authenticated:
            return list_prefs.ListState(columns=[], default_view_id=None, views=[])
        return list_prefs.list_state(self.request.user, self.list_key)

    @property
    def saved_views(self) -> list:
        return self.list_state.views

    @cached_property
    def current_view(self):
        """The saved view named by ?view= (one the user may open), if any."""
        wanted = self.request.GET.get("view", "")
        return next((view for view in self.saved_views if str(view.pk) == wanted), None)

    def chosen_columns(self) -> list[str]:
        if self.current_view is not None and self.current_view.columns:
            return self.current_view.columns
        return self.list_state.columns

    def default_view_redirect(self):
        """A list opened without any parameter opens the user's default view."""
        if self.request.GET or self.partial or not self.list_key:
            return None
        wanted = self.list_state.default_view_id
        view = next((view for view in self.saved_views if view.pk == wanted), None)
        if view is None:
            return None
        query = f"{view.query}&view={view.pk}" if view.query else f"view={view.pk}"
        return redirect(f"{self.request.path}?{query}")

    def get(self, request, *args, **kwargs):
        self.partial = bool(request.htmx) and request.htmx.target == "results"
        if (default_view := self.default_view_redirect()) is not None:
            return default_view
        filterset = self.get_filterset()
        queryset = filterset.qs
        export = request.GET.get("export")
        if export in exports.FORMATS:
            queryset = self.get_export_queryset(queryset)
            if self.list_key and exports.is_big(queryset):
                return export_offer(self, export)
            if export == "csv":
                return self.export_csv(queryset)
            return self.export_xlsx(queryset)
        table = self.get_table(queryset)
        list_prefs.apply_columns(table, self.chosen_columns())
        RequestConfig(request, paginate=False).configure(table)  # ordering only
        paginate_table(table, request, capped=self.always_cap_count or self.is_filtered())
        self.decorate_page([row.record for row in table.page.object_list])
        context = self.get_context_data(filterset=filterset, table=table, **kwargs)
        if self.partial:
            template = self.partial_template_name or self.results_template_name
            return self.response_class(request, template, context)
        return self.render_to_response(context)

    def is_filtered(self) -> bool:
        """Searches and filters count their matches only up to a cap (a broad filter over a
        million rows would otherwise cost more to count than to show)."""
        ignored = ("per_page", "sort", "page", "export", "view")
        return any(value.strip() for key, value in self.request.GET.items() if key not in ignored)

    def get_export_queryset(self, queryset):
        return queryset

    def decorate_page(self, records: list) -> None:
        """Add per-row figures to one page's records in a single extra query (see customers)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("export", None)
        context.update(
            title=str(meta.verbose_name_plural).capitalize(),
            verbose_name=meta.verbose_name,
            per_page_choices=PER_PAGE_CHOICES,
            per_page=per_page_from(self.request),
            export_query=query.urlencode(),
            is_filtered=any(
                value
                for key, value in self.request.GET.items()
                if key not in ("per_page", "sort", "page")
            ),
            add_url_name=self.add_url_name
            if user_can(self.request.user, self.add_capability)
            else None,
            import_url=reverse("imports:import_upload", kwargs={"kind": self.import_kind})
            if self.import_kind and may_import(self.request.user, self.import_kind)
            else None,
        )
        if "filterset" in kwargs:
            context.update(self.filters_context(kwargs["filterset"].form))
        if self.list_key and "table" in kwargs:
            context.update(self.list_tools_context(kwargs["table"]))
        return context

    def filters_context(self, form) -> dict:
        """The search box's neighbours in one row; the rest behind "More filters", open when
        one of them is in use (its count on the button)."""
        fields = [field for field in form.visible_fields() if field.name != "q"]
        more = fields[PRIMARY_FILTERS:]
        active = sum(1 for field in more if any(self.request.GET.getlist(field.html_name)))
        return {
            "primary_filters": fields[:PRIMARY_FILTERS],
            "more_filters": more,
            "more_filters_active": active,
        }

    def list_tools_context(self, table) -> dict:
        """What the column chooser, the saved views menu and the bulk bar show."""
        query = self.request.GET.copy()
        for name in list_prefs.TRANSIENT_PARAMS:
            query.pop(name, None)
        return {
            "list_key": self.list_key,
            "column_choices": list_prefs.column_choices(table, self.chosen_columns()),
            "saved_views": self.saved_views,
            "current_view": self.current_view,
            "default_view_id": self.list_state.default_view_id,
            "view_query": query.urlencode(),
            "bulk_actions": self.usable_bulk_actions(),
            "select_all_max": SELECT_ALL_MAX,
        }

    def export_rows(self, queryset) -> tuple[list[str], Iterator[list]]:
        """Header and rows of the visible columns, read from the database in chunks, so an
        export of any size runs in constant memory."""
        table = self.get_table(queryset)
        list_prefs.apply_columns(table, self.chosen_columns())  # what the user shows
        names = [
            name
            for name, column in table.columns.items()
            if column.visible and name not in list_prefs.FIXED_COLUMNS
        ]
        header = [str(table.columns[name].header) for name in names]

        def rows() -> Iterator[list]:
            chunk = []
            for record in queryset.iterator(chunk_size=EXPORT_CHUNK):
                chunk.append(record)
                if len(chunk) == EXPORT_CHUNK:
                    yield from rows_of(chunk)
                    chunk = []
            yield from rows_of(chunk)

        getters = [cell_getter(table, name) for name in names]

        def rows_of(chunk: list) -> Iterator[list]:
            if chunk:
                self.decorate_page(chunk)
            for record in chunk:
                yield [getter(record) for getter in getters]

        return header, rows()

    def export_csv(self, queryset) -> HttpResponse:
        header, rows = self.export_rows(queryset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")

        def with_header():
            yield header
            yield from rows

        return csv_response(f"{self.export_name}-{stamp}.csv", with_header())

    def export_xlsx(self, queryset) -> HttpResponse:
        header, rows = self.export_rows(queryset)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return xlsx_response(f"{self.export_name}-{stamp}.xlsx", header, rows)


class ObjectListView(ConsoleAccessMixin, BreadcrumbsMixin, ListMachinery):
    """A console list: the list machinery behind the console's role check, with per-user
    columns and saved views under ``list_key`` (by default the model's label)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None and cls.table_class is not None:
            if "list_key" not in cls.__dict__:
                cls.list_key = cls.model._meta.label_lower
            list_prefs.register_list(cls.list_key, cls)

    #: The list's URL name, when it is not ``<app>:<model>_list``.
    list_route = ""

    @classmethod
    def list_route_name(cls) -> str:
        meta = cls.model._meta
        return cls.list_route or f"{meta.app_label}:{meta.model_name}_list"


def add_selection_column(table) -> None:
    """Row checkboxes for the bulk bar (the ``list-bulk`` form, by the ``form`` attribute, so
    the table need not sit inside it), first in the row."""
    from django_tables2 import CheckBoxColumn
    from django_tables2.columns import BoundColumn

    column = CheckBoxColumn(
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        attrs={
            "th": {"class": "row-select"},
            "td": {"class": "row-select"},
            "th__input": {
                "aria-label": "Select all rows on this page",
                "data-select-all": "ids",
                "form": "list-bulk",
            },
            "td__input": {"name": "ids", "form": "list-bulk", "aria-label": "Select row"},
        },
    )
    bound = BoundColumn(table, column, "selection")
    bound.render, bound.value = column.render, column.value
    table.columns.columns["selection"] = bound
    table._sequence = type(table.sequence)(["selection", *table.sequence])


class ObjectDetailView(ConsoleAccessMixin, BreadcrumbsMixin, ScopedViewMixin, DetailView):
    """A record's page: the header and tabs are shared; each tab is its own view and URL."""

    tab = "overview"
    include_deleted = True

    def get_queryset(self) -> QuerySet:
        return self.scoped(include_deleted=self.include_deleted)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["active_tab"] = self.tab
        return context


class ObjectChildrenMixin:
    """The child records of the page's record (``self.object``) as a table with the columns
    of their own list, sorted and paginated (NetBox's ObjectChildrenView): a customer's
    locations, a location's assets. A whole tab is this mixin on the parent's page view;
    a panel of a page is this mixin on a small object with ``request`` and ``object``.

    The children start from the policy layer, the asker's scope (those of a deleted parent
    too, when the parent itself is deleted: only scopes that may see deleted records reach
    such a page), then ``get_children`` keeps the parent's."""

    child_model = None
    table_class = None
    # Own sort and page parameters ("assets-sort", "assets-page") for a table that shares
    # its page with others.
    table_prefix = ""

    def get_children(self, queryset: QuerySet) -> QuerySet:
        """The parent's children among ``queryset``, with what the table's columns need."""
        raise NotImplementedError

    def include_deleted_children(self) -> bool:
        return getattr(self.object, "deleted_at", None) is not None

    def get_children_table(self):
        user = self.request.user
        children = self.child_model.objects.restrict(
            scope_for(user), "view", include_deleted=self.include_deleted_children()
        )
        extra = {"prefix": self.table_prefix} if self.table_prefix else {}
        table = self.table_class(
            self.get_children(children), can_edit=user_can(user, Capability.EDIT_RECORDS), **extra
        )
        RequestConfig(self.request, paginate=False).configure(table)
        paginate_table(table, self.request, page_param=f"{self.table_prefix}page")
        return table


class ObjectActionView(
    ConsoleAccessMixin, BreadcrumbsMixin, ScopedViewMixin, SingleObjectMixin, TemplateView
):
    """A state change on one record (archive, delete, restore...). GET shows what will happen
    and asks to confirm; POST calls the service and goes back to the record."""

    model = None
    required_capability = Capability.MANAGE_RECORDS
    scope_action = "change"
    include_deleted = False
    template_name = "core/confirm_action.html"
    verb = ""
    button_class = "btn-primary"
    explanation = ""
    success_message = "{object}: done."

    def get_queryset(self) -> QuerySet:
        return self.scoped(include_deleted=self.include_deleted)

    def perform(self, obj):
        raise NotImplementedError

    def get_success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(verb=self.verb, explanation=self.explanation, button_class=self.button_class)
        return context

    def get_breadcrumbs(self):
        meta = self.model._meta
        return [
            (
                str(meta.verbose_name_plural).capitalize(),
                reverse(f"{meta.app_label}:{meta.model_name}_list"),
            ),
            (str(self.object), self.object.get_absolute_url()),
            (self.verb, None),
        ]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            result = self.perform(self.object)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.object.get_absolute_url())
        messages.success(request, self.success_message.format(object=self.object))
        return redirect(self.get_success_url(result if result is not None else self.object))


class ObjectFormView(ConsoleAccessMixin, BreadcrumbsMixin, ScopedViewMixin, FormView):
    """Create or edit one record through a service. Subclasses set ``model``, ``form_class``
    and implement ``save(form)``; a service's ValidationError lands on the form."""

    model = None
    required_capability = Capability.EDIT_RECORDS
    template_name = "core/object_form.html"
    object = None
    # Fields a link may prefill, e.g. /assets/add/?location=12 from a location's page.
    initial_from_query: tuple[str, ...] = ()

    def get_initial(self):
        initial = super().get_initial()
        for name in self.initial_from_query:
            value = self.request.GET.get(name, "")
            if value.isdigit():
                initial[name] = int(value)
        return initial

    def get_object(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        # Role first (403), then the record through the policy layer (404).
        if user_can(request.user, self.required_capability):
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if self.object is not None:
            kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context["object"] = self.object
        context["title"] = f"Edit {self.object}" if self.object else f"Add {meta.verbose_name}"
        context["cancel_url"] = (
            self.object.get_absolute_url()
            if self.object
            else reverse(f"{meta.app_label}:{meta.model_name}_list")
        )
        return context

    def get_breadcrumbs(self):
        meta = self.model._meta
        crumbs = [
            (
                str(meta.verbose_name_plural).capitalize(),
                reverse(f"{meta.app_label}:{meta.model_name}_list"),
            )
        ]
        if self.object is not None:
            crumbs += [(str(self.object), self.object.get_absolute_url()), ("Edit", None)]
        else:
            crumbs.append((f"Add {meta.verbose_name}", None))
        return crumbs

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            obj = self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {obj}.")
        return redirect(obj)


class ObjectUpdateMixin:
    """For ObjectFormView subclasses that edit: the record comes through the policy layer."""

    scope_action = "change"

    def get_object(self):
        return access(self.model, self.scope, self.kwargs["pk"], self.scope_action)


class ObjectArchiveView(ObjectActionView):
    """Archive or (with ``archived=False`` in as_view) unarchive a record via its service,
    ``archive_service(<id_kwarg>=pk, archived=..., actor=...)``."""

    archived = True
    archive_service = None
    id_kwarg = ""
    archive_explanation = ""
    unarchive_explanation = "It returns to lists and dropdowns."

    @property
    def verb(self) -> str:
        return "Archive" if self.archived else "Unarchive"

    @property
    def button_class(self) -> str:
        return "btn-warning" if self.archived else "btn-primary"

    @property
    def explanation(self) -> str:
        return self.archive_explanation if self.archived else self.unarchive_explanation

    @property
    def success_message(self) -> str:
        return ("Archived" if self.archived else "Unarchived") + " {object}."

    def perform(self, obj):
        service = type(self).archive_service
        return service(**{self.id_kwarg: obj.pk}, archived=self.archived, actor=self.request.user)
