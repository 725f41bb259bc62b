"""``restrict(scope, action)``: the one place rows are scoped (NetBox's RestrictedQuerySet).

A tenant model's queryset says how its rows are reached from a customer:

    class LocationQuerySet(ScopedQuerySet):
        scope_paths = ("customer",)

``("",)`` means the row is the customer itself; several paths (assets: ``("owner",
"location__customer")``) mean "belongs to the first that is set, reached through any".
An empty tuple means tenant-wide records (plans, settings): staff only.

The rules, the same for every model:
- Unlimited staff see every row but those belonging to a soft-deleted customer (unless the
  view asks for ``include_deleted`` and the scope may see deleted records: the deleted
  customer's own page, restore and purge). Rows belonging to no customer (a purged
  customer's invoices, your own assets) stay visible to them.
- Staff limited by the owner and customer users see only rows reached from their customers
  (a limited staff user's assignments, a customer user's company and its sub-accounts).
- The action needs the capability the model names (staff) or the portal permission it names
  (customer users; "view" is open to every customer user of the company, the page decides).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.http import Http404

from .policies import Capability
from .scope import Scope, scope_for

STAFF_ACTIONS: dict[str, Capability] = {
    "view": Capability.VIEW_CONSOLE,
    "change": Capability.EDIT_RECORDS,
    "delete": Capability.MANAGE_RECORDS,
}


def _customer_model(model, path: str):
    for name in filter(None, path.split("__")):
        model = model._meta.get_field(name).related_model
    return model


def _reached_from(model, path: str, customers) -> Q:
    """Rows of ``model`` whose ``path`` leads to one of ``customers`` (ids or a queryset),
    as nested ``IN (subquery)`` filters: no joins, so big lists keep their plans."""
    if path == "":
        return Q(pk__in=customers)
    head, _, rest = path.partition("__")
    if not rest:
        return Q(**{f"{head}__in": customers})
    related = model._meta.get_field(head).related_model
    return Q(
        **{
            f"{head}__in": related._base_manager.filter(
                _reached_from(related, rest, customers)
            ).values("pk")
        }
    )


def _path_is_null(path: str) -> Q:
    return Q(**{f"{path}__isnull": True}) if path else Q(pk__isnull=True)


class ScopedQuerySet(models.QuerySet):
    scope_paths: tuple[str, ...] = ()
    staff_actions: dict[str, Capability] = STAFF_ACTIONS
    # Portal permission a customer user needs per action; "" means any customer user of the
    # company. An action missing here is never allowed to customer users.
    portal_actions: dict[str, str] = {"view": ""}

    def restrict(
        self, scope: Scope, action: str = "view", *, include_deleted: bool = False
    ) -> ScopedQuerySet:
        if scope.is_staff:
            capability = self.staff_actions.get(action)
            if capability is None or not scope.can(capability):
                return self.none()
        elif scope.is_customer_user:
            permission = self.portal_actions.get(action)
            if permission is None or (permission and not scope.portal_can(permission)):
                return self.none()
            if not self.scope_paths:
                return self.none()
        else:
            return self.none()
        if not self.scope_paths:
            return self  # tenant-wide records: the schema is the boundary
        bound = scope.reachable_customer_ids
        queryset = self
        if bound is not None:
            if not bound:
                return self.none()
            ids = sorted(bound)
            reached = Q()
            for path in self.scope_paths:
                reached |= _reached_from(self.model, path, ids)
            queryset = queryset.filter(reached)
        if include_deleted and scope.may_see_deleted:
            return queryset
        if self.scope_paths == ("",):
            # The customers themselves: the very condition their partial indexes carry.
            return queryset.filter(deleted_at__isnull=True)
        return queryset.exclude(self._belongs_to_deleted())

    def _belongs_to_deleted(self) -> Q:
        """Rows whose customer (the first of ``scope_paths`` that is set) is soft-deleted."""
        customer = _customer_model(self.model, self.scope_paths[0])
        deleted = customer._base_manager.filter(deleted_at__isnull=False).values("pk")
        condition, earlier_unset = None, Q()
        for path in self.scope_paths:
            reached = earlier_unset & _reached_from(self.model, path, deleted)
            condition = reached if condition is None else condition | reached
            earlier_unset &= _path_is_null(path)
        return condition

    def visible_to(self, user, *, include_deleted: bool = False) -> ScopedQuerySet:
        """Shorthand for ``restrict(scope_for(user), "view")``."""
        return self.restrict(scope_for(user), include_deleted=include_deleted)


def parse_id(value) -> int:
    """A record id from a URL or a form, or the 404 of a record that does not exist."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such record.") from None


def access(queryset, scope: Scope, pk, action: str = "view", *, include_deleted: bool = False):
    """The one record ``pk`` within ``scope``, or the same 404 whether it is missing or out
    of reach (Zulip's ``access_stream_by_id``). A non-numeric id is not found either."""
    pk = parse_id(pk)
    if isinstance(queryset, type) and issubclass(queryset, models.Model):
        queryset = queryset._default_manager.all()
    obj = queryset.restrict(scope, action, include_deleted=include_deleted).filter(pk=pk).first()
    if obj is None:
        raise Http404("No such record.")
    return obj
