"""Per-user list choices: which columns a list shows and in what order, and saved views (a name
for filters + sort + columns, private or shared with the team, one of them the user's default).

Every console list (``ObjectListView``) registers here under its ``list_key`` (the model's
label, ``customers.customer``), so the routes in core/views_lists.py can find its table and
its bulk actions from the key alone."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject

from .list_prefs_models import ListPreference, SavedView

logger = logging.getLogger(__name__)

# Never chosen or hidden: the row checkboxes and the row-action menu keep their places.
FIXED_COLUMNS = ("selection", "actions")
# Parts of a query string a saved view does not keep.
TRANSIENT_PARAMS = ("page", "cursor", "export", "view", "per_page")
SAVED_VIEW_NAME_MAX = 80

_lists: dict[str, type] = {}


def register_list(key: str, view_class: type) -> None:
    """Remember a console list view under ``key``; the first one registered keeps it."""
    known = _lists.get(key)
    same = known is not None and known.__qualname__ == view_class.__qualname__
    if known is not None and not same:
        logger.warning("Two console lists for %s: %s is ignored", key, view_class.__name__)
        return
    _lists[key] = view_class


def list_view_for(key: str) -> type | None:
    if not _lists:
        # The registry fills as the URLconf imports the apps' views (a worker process never
        # resolves a URL, so it loads the URLconf here).
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018
    return _lists.get(key)


@dataclass(frozen=True)
class ColumnChoice:
    name: str
    label: str
    visible: bool


def choosable_columns(table) -> list[tuple[str, str]]:
    """(name, header) of every column of this table instance, those added per request too."""
    return [
        (name, " ".join(str(column.header or name).split()))
        for name, column in table.columns.items()
        if name not in FIXED_COLUMNS
    ]


def clean_columns(table, names: list[str]) -> list[str]:
    """The names among ``names`` that are columns of ``table``, in order, each once."""
    known = {name for name, _ in choosable_columns(table)}
    chosen: list[str] = []
    for name in names:
        if name in known and name not in chosen:
            chosen.append(name)
    return chosen


def apply_columns(table, names: list[str]) -> None:
    """Show only ``names`` (in that order) among the choosable columns; the row checkboxes
    first and the action menu last stay where they are. Unknown names (a custom field since
    removed) are ignored; when none is left the table keeps its own columns."""
    chosen = clean_columns(table, names)
    if not chosen:
        return
    current = [name for name in table.sequence if name in table.columns.columns]
    for name, _ in choosable_columns(table):
        table.columns.columns[name].column.visible = name in chosen
    rest = [name for name in current if name not in chosen and name not in FIXED_COLUMNS]
    lead = [name for name in FIXED_COLUMNS[:1] if name in current]
    tail = [name for name in FIXED_COLUMNS[1:] if name in current]
    table._sequence = type(table.sequence)([*lead, *chosen, *rest, *tail])


def column_choices(table, names: list[str]) -> list[ColumnChoice]:
    """The chooser's checkboxes: the chosen columns first in their order, then the others."""
    labels = dict(choosable_columns(table))
    chosen = clean_columns(table, names)
    if not chosen:
        return [
            ColumnChoice(name, label, table.columns[name].visible) for name, label in labels.items()
        ]
    return [ColumnChoice(name, labels[name], True) for name in chosen] + [
        ColumnChoice(name, label, False) for name, label in labels.items() if name not in chosen
    ]


@dataclass(frozen=True)
class ListState:
    """What a list page needs of the user's choices: their columns, their default view's id
    and the saved views they may open (their own and the team's shared ones)."""

    columns: list[str]
    default_view_id: int | None
    views: list[SavedView]


def list_state(user, list_key: str) -> ListState:
    """The user's ListState for a list in ONE query (the user's row with the preference and
    the views as subqueries), whatever the number of views."""
    preference = ListPreference.objects.filter(user=OuterRef("pk"), list_key=list_key)
    views = (
        SavedView.objects.filter(list_key=list_key)
        .filter(Q(owner=OuterRef("pk")) | Q(shared=True))
        .order_by("name", "id")
        .values(
            data=JSONObject(
                id="id",
                name="name",
                query="query",
                columns="columns",
                shared="shared",
                owner_id="owner_id",
                owner_first_name="owner__first_name",
                owner_email="owner__email",
            )
        )
    )
    row = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            columns=Subquery(preference.values("columns")[:1]),
            default_view_id=Subquery(preference.values("default_view_id")[:1]),
            views=ArraySubquery(views),
        )
        .first()
    ) or {}
    saved = []
    for data in row.get("views") or []:
        view = SavedView(
            id=data["id"],
            owner_id=data["owner_id"],
            list_key=list_key,
            name=data["name"],
            query=data["query"],
            columns=data["columns"] or [],
            shared=data["shared"],
        )
        view.owner_label = data["owner_first_name"] or data["owner_email"]
        saved.append(view)
    columns = row.get("columns") or []
    return ListState(
        columns=list(columns) if isinstance(columns, list) else [],
        default_view_id=row.get("default_view_id"),
        views=saved,
    )


def preference_of(user, list_key: str) -> ListPreference | None:
    return (
        ListPreference.objects.filter(user=user, list_key=list_key)
        .select_related("default_view")
        .first()
    )


def list_columns_set(*, user, list_key: str, table, columns: list[str]) -> ListPreference:
    """Keep ``columns`` (those the table has) as the user's choice for the list; an empty
    choice goes back to the table's own columns."""
    chosen = clean_columns(table, columns)
    if columns and not chosen:
        raise ValidationError("Choose at least one column.")
    preference, _ = ListPreference.objects.update_or_create(
        user=user, list_key=list_key, defaults={"columns": chosen}
    )
    return preference


def clean_query(query: str) -> str:
    """A list's query string without what a view should not keep (page, cursor, export)."""
    pairs = [(key, value) for key, value in parse_qsl(query) if key not in TRANSIENT_PARAMS]
    return urlencode(pairs)


def views_for(user, list_key: str):
    """The saved views the user may open on a list: their own and the team's shared ones."""
    return (
        SavedView.objects.filter(list_key=list_key)
        .filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def view_for(user, pk: int, *, own: bool = False) -> SavedView | None:
    views = SavedView.objects.filter(pk=pk)
    views = views.filter(owner=user) if own else views.filter(Q(owner=user) | Q(shared=True))
    return views.first()


@transaction.atomic
def saved_view_create(
    *,
    owner,
    list_key: str,
    name: str,
    query: str,
    columns: list[str],
    shared: bool,
    make_default: bool,
) -> SavedView:
    """Save the list as it is shown now (filters, sort and columns) under ``name``; a view of
    the same name of the owner's on that list is replaced."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the view a name."})
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise ValidationError(
            {"name": "A view's name cannot hold tabs, line breaks or control characters."}
        )
    if len(name) > SAVED_VIEW_NAME_MAX:
        raise ValidationError({"name": f"At most {SAVED_VIEW_NAME_MAX} characters."})
    existing = (
        SavedView.objects.select_for_update()
        .filter(owner=owner, list_key=list_key, name__iexact=name)
        .first()
    )
    view = existing or SavedView(owner=owner, list_key=list_key)
    view.name = name
    view.query = clean_query(query)[:2000]
    view.columns = list(columns)
    view.shared = shared
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError as error:  # the same name saved at the same moment
        raise ValidationError({"name": "A view of that name was just saved."}) from error
    if make_default:
        saved_view_make_default(user=owner, view=view)
    return view


@transaction.atomic
def saved_view_make_default(*, user, view: SavedView | None, list_key: str = "") -> None:
    """Open ``view`` when the user opens its list without filters (``None``: no default)."""
    key = view.list_key if view is not None else list_key
    ListPreference.objects.update_or_create(
        user=user, list_key=key, defaults={"default_view": view}
    )


@transaction.atomic
def saved_view_delete(*, user, view: SavedView) -> None:
    """Only the owner deletes a view (a shared one disappears for the team too)."""
    if view.owner_id != user.pk:
        raise ValidationError("Only the person who saved this view can delete it.")
    view.delete()
