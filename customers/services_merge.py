"""Merging two records of one company: ``merge_customers()`` moves every record of the
duplicate to the survivor and soft-deletes the duplicate with a pointer to the survivor.

It knows no app: the records to move are found from ``Customer._meta.related_objects``
(foreign keys, one-to-ones and many-to-manys of every installed app) and from generic
foreign keys (contenttypes) that point at customers. Where moving would break a uniqueness
rule (a one-per-customer row both have, the same name twice), the app that owns the model
says how to combine with ``register_merge_rule()`` from its ``AppConfig.ready()``; without a
rule the merge is refused with a message naming what collides, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from accounts.models import User
from core.policies import Capability
from core.scope import scope_for
from core.services import save_with_history

from . import reactions
from .models import MAX_PARENT_DEPTH, Customer
from .services import restorable_fields

SURVIVOR, DUPLICATE = "survivor", "duplicate"
MAX_REASON_LENGTH = 200


# --- Rules for rows that would collide ------------------------------------------------------

# rule(colliding, *, survivor, duplicate, actor): resolve the duplicate's rows in
# ``colliding`` (a queryset) before they move, or raise ValidationError to refuse the merge.
MergeRule = Callable[..., None]


@dataclass(frozen=True)
class RegisteredRule:
    rule: MergeRule
    description: str  # what happens, shown before the merge ("the survivor's is kept")

    @property
    def refuses(self) -> bool:
        return getattr(self.rule, "refuses", False)


MERGE_RULES: dict[str, RegisteredRule] = {}


def register_merge_rule(model: type[models.Model] | str, rule: MergeRule, description: str):
    """How the duplicate's rows of ``model`` (a model or its through table, or
    "app_label.ModelName") that collide with the survivor's are combined."""
    label = model if isinstance(model, str) else model._meta.label
    MERGE_RULES[label] = RegisteredRule(rule, description)


def keep_survivors(colliding: models.QuerySet, *, survivor, duplicate, actor) -> None:
    """The survivor's row stays; the duplicate's same row is removed (with history)."""
    for row in colliding:
        row._history_user = actor
        row._change_reason = f"Merged into {survivor} (#{survivor.pk}): the survivor's is kept"
        row.delete()


def refuse(message: str) -> MergeRule:
    """A rule that refuses the merge with ``message`` while such rows collide."""

    def rule(colliding, *, survivor, duplicate, actor) -> None:
        raise ValidationError(message.format(survivor=survivor, duplicate=duplicate))

    rule.refuses = True  # checked before anything is written
    return rule


# --- What moves ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """One way records point at a customer."""

    model: type[models.Model]
    field: str  # the field on ``model`` naming the customer (a generic FK's object id)
    label: str  # e.g. "contacts"
    many_to_many: bool = False  # ``model`` is a many-to-many's through table
    content_type_field: str = ""  # a generic foreign key's content type field
    unique_sets: tuple[tuple[tuple[str, ...], Q | None], ...] = ()  # (other fields, condition)

    def rows_of(self, customer_id: int) -> models.QuerySet:
        rows = self.model._base_manager.filter(**{self.field: customer_id})
        if self.content_type_field:
            from django.contrib.contenttypes.models import ContentType

            customer_type = ContentType.objects.get_for_model(Customer)
            rows = rows.filter(**{self.content_type_field: customer_type})
        return rows

    def colliding(self, survivor_id: int, duplicate_id: int) -> models.QuerySet | None:
        """The duplicate's rows that would break a uniqueness rule next to the survivor's."""
        found = None
        for others, condition in self.unique_sets:
            theirs = self.rows_of(survivor_id)
            mine = self.rows_of(duplicate_id)
            if condition is not None:
                theirs, mine = theirs.filter(condition), mine.filter(condition)
            theirs = theirs.filter(**{name: OuterRef(name) for name in others})
            clash = mine.filter(Exists(theirs))
            found = clash if found is None else (found | clash)
        return found


def _unique_sets(model, field_name: str, one_to_one: bool) -> tuple:
    """Each uniqueness rule of ``model`` that includes ``field_name``: the other fields and
    the rule's condition. Rules on expressions (Lower(...)) never name the customer here."""
    sets = [((), None)] if one_to_one else []
    for constraint in model._meta.constraints:
        names = tuple(getattr(constraint, "fields", ()) or ())
        if isinstance(constraint, models.UniqueConstraint) and field_name in names:
            others = tuple(name for name in names if name != field_name)
            sets.append((others, constraint.condition))
    for together in model._meta.unique_together:
        if field_name in together:
            sets.append((tuple(name for name in together if name != field_name), None))
    return tuple(sets)


def customer_relations() -> list[Relation]:
    """Every way a record of an installed app points at a customer."""
    found = []
    for rel in Customer._meta.related_objects:
        if rel.many_to_many:
            through = rel.through
            source = next(
                f.name
                for f in through._meta.fields
                if f.is_relation and f.related_model is Customer
            )
            others = tuple(
                f.name for f in through._meta.fields if f.is_relation and f.name != source
            )
            found.append(
                Relation(
                    through,
                    source,
                    str(rel.related_model._meta.verbose_name_plural),
                    many_to_many=True,
                    unique_sets=((others, None),),
                )
            )
            continue
        model = rel.related_model
        found.append(
            Relation(
                model,
                rel.field.name,
                _relation_label(rel),
                unique_sets=_unique_sets(model, rel.field.name, rel.one_to_one),
            )
        )
    for model in apps.get_models():
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                found.append(
                    Relation(
                        model,
                        private.fk_field,
                        str(model._meta.verbose_name_plural),
                        content_type_field=private.ct_field,
                    )
                )
    return found


def _relation_label(rel) -> str:
    if rel.related_model is Customer:
        return "merged records" if rel.field.name == "merged_into" else "sub-accounts"
    return str(rel.related_model._meta.verbose_name_plural)


def counted(count: int, label: str) -> str:
    """“1 contact”, “3 contacts”: ``label`` is a relation's plural label."""
    if count != 1:
        return f"{count} {label}"
    singular = {
        str(m._meta.verbose_name_plural): str(m._meta.verbose_name) for m in apps.get_models()
    }
    singular.update({"sub-accounts": "sub-account", "merged records": "merged record"})
    return f"1 {singular.get(label, label)}"


@dataclass
class MergePlan:
    """What a merge would do: rows per relation, and the rules collisions need."""

    counts: dict[str, int] = field(default_factory=dict)
    combined: list[str] = field(default_factory=list)  # rules that will apply, described
    blockers: list[str] = field(default_factory=list)  # collisions no rule resolves

    @property
    def lines(self) -> list[str]:
        return [counted(count, label) for label, count in self.counts.items()]


def merge_plan(*, survivor: Customer, duplicate: Customer) -> MergePlan:
    """What merging would move and combine, for the confirmation page (a few queries per
    relation, whatever the number of rows)."""
    plan = MergePlan()
    for relation in customer_relations():
        count = relation.rows_of(duplicate.pk).count()
        if count:
            plan.counts[relation.label] = plan.counts.get(relation.label, 0) + count
            clash = relation.colliding(survivor.pk, duplicate.pk)
            if clash is not None and clash.exists():
                registered = MERGE_RULES.get(relation.model._meta.label)
                if registered is None:
                    plan.blockers.append(_collision_message(relation))
                else:
                    plan.combined.append(f"{relation.label.capitalize()}: {registered.description}")
    return plan


def _collision_message(relation: Relation) -> str:
    return (
        f"Both customers have {relation.label} that may exist only once per customer; "
        "change or remove the duplicate's first."
    )


# --- The merge -------------------------------------------------------------------------------


@dataclass
class MergeResult:
    survivor: Customer
    duplicate: Customer
    moved: dict[str, int]  # label → rows moved to the survivor


def mergeable_fields() -> list[str]:
    """The customer fields a merge may take from the duplicate (the ones a person edits;
    never the account status, archive state or bookkeeping)."""
    return restorable_fields()


def default_choice(survivor: Customer, duplicate: Customer, name: str) -> str:
    """The survivor's value, unless it is empty and the duplicate's is not."""
    mine, theirs = getattr(survivor, name), getattr(duplicate, name)
    empty = (None, "", {}, [])
    return DUPLICATE if mine in empty and theirs not in empty else SURVIVOR


def differing_fields(survivor: Customer, duplicate: Customer) -> list[str]:
    """The fields to choose between; never the parent of a duplicate that is a sub-account
    of the survivor (the survivor cannot become its own parent)."""
    return [
        name
        for name in mergeable_fields()
        if getattr(survivor, name) != getattr(duplicate, name)
        and not (name == "parent_id" and duplicate.parent_id == survivor.pk)
    ]


@transaction.atomic
def merge_customers(
    *,
    survivor: Customer | int,
    duplicate: Customer | int,
    field_choices: dict[str, str] | None = None,
    actor: User | None,
    reason: str = "",
) -> MergeResult:
    """Merge ``duplicate`` into ``survivor``: the fields chosen from the duplicate
    (``field_choices``: field → "survivor"/"duplicate"; others default to the survivor's
    value, or the duplicate's where the survivor has none), every record of the duplicate
    moved to the survivor, the duplicate soft-deleted with ``merged_into`` set, and both
    histories saying so with the actor and reason. All or nothing: a refusal (itself, a
    deleted or merged customer, one below the other, a collision no rule resolves, no
    right to merge) raises ValidationError and writes nothing."""
    survivor_id = getattr(survivor, "pk", survivor)
    duplicate_id = getattr(duplicate, "pk", duplicate)
    reason = " ".join((reason or "").split())[:MAX_REASON_LENGTH]
    _check_actor(actor, survivor_id, duplicate_id)
    if survivor_id == duplicate_id:
        raise ValidationError("A customer cannot be merged with itself: choose another one.")
    # Both rows locked in id order: two merges of the same pair cannot deadlock.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(pk__in=[survivor_id, duplicate_id])
    }
    if len(locked) != 2:
        raise ValidationError("One of these customers no longer exists.")
    keep, gone = locked[survivor_id], locked[duplicate_id]
    for customer in (keep, gone):
        if customer.merged_into_id is not None:
            raise ValidationError(f"{customer} was already merged into another customer.")
        if customer.deleted_at is not None:
            raise ValidationError(f"{customer} is deleted: restore it before merging.")
    _check_not_below(keep, gone)
    chosen = _apply_choices(keep, gone, field_choices or {})
    moved = _move_records(keep, gone, actor=actor)

    note = f": {reason}" if reason else ""
    if "external_id" in chosen:
        gone.external_id = ""  # it moves to the survivor (unique per tenant)
    gone.merged_into = keep
    gone.deleted_at, gone.deleted_by = timezone.now(), actor
    gone.version += 1
    save_with_history(
        gone,
        actor=actor,
        reason=f"Merged into {keep} (#{keep.pk}){note}"[:100],
        event="customer.deleted",
    )
    reactions.react(reactions.on_customer_deleted, gone, actor=actor)
    keep.version += 1
    save_with_history(
        keep,
        actor=actor,
        reason=f"Merged {gone} (#{gone.pk}) into this{note}"[:100],
        event="customer.updated",
    )
    return MergeResult(survivor=keep, duplicate=gone, moved=moved)


def _check_actor(actor: User | None, *customer_ids: int) -> None:
    scope = scope_for(actor)
    if not scope.can(Capability.MANAGE_RECORDS) or not all(
        scope.reaches_customer(pk) for pk in customer_ids
    ):
        raise ValidationError("You may not merge these customers.")


def _check_not_below(survivor: Customer, duplicate: Customer) -> None:
    """The survivor takes the duplicate's sub-accounts: it cannot sit below the duplicate
    (it would become its own ancestor). Merge the other way round instead."""
    ancestor_id, seen = survivor.parent_id, set()
    for _ in range(MAX_PARENT_DEPTH):
        if ancestor_id is None or ancestor_id in seen:
            return
        if ancestor_id == duplicate.pk:
            raise ValidationError(
                f"{survivor} is a sub-account of {duplicate}: keep {duplicate} and merge "
                f"{survivor} into it instead."
            )
        seen.add(ancestor_id)
        ancestor_id = (
            Customer.objects.filter(pk=ancestor_id).values_list("parent_id", flat=True).first()
        )


def _apply_choices(survivor: Customer, duplicate: Customer, choices: dict[str, str]) -> set:
    allowed = set(mergeable_fields())
    unknown = sorted(set(choices) - allowed)
    if unknown:
        raise ValidationError(f"These fields cannot be merged: {', '.join(unknown)}.")
    bad = sorted(name for name, side in choices.items() if side not in (SURVIVOR, DUPLICATE))
    if bad:
        raise ValidationError(f"Choose the survivor's or the duplicate's value for {bad[0]}.")
    taken = set()
    for name in differing_fields(survivor, duplicate):
        side = choices.get(name) or default_choice(survivor, duplicate, name)
        if side == DUPLICATE:
            setattr(survivor, name, getattr(duplicate, name))
            taken.add(name)
    if choices.get("parent_id") == DUPLICATE and duplicate.parent_id == survivor.pk:
        raise ValidationError(f"{duplicate}'s parent is {survivor} itself: keep {survivor}'s.")
    return taken


def _collisions(relations, survivor: Customer, duplicate: Customer, *, actor) -> dict:
    """The index of each relation whose rows collide, with its rule and the rows; refusals
    raise here, before anything is written."""
    found = {}
    for index, relation in enumerate(relations):
        clash = relation.colliding(survivor.pk, duplicate.pk)
        if clash is not None and clash.exists():
            registered = MERGE_RULES.get(relation.model._meta.label)
            if registered is None:
                raise ValidationError(_collision_message(relation))
            if registered.refuses:
                registered.rule(clash, survivor=survivor, duplicate=duplicate, actor=actor)
            found[index] = (registered, clash)
    return found


def _move_records(survivor: Customer, duplicate: Customer, *, actor) -> dict[str, int]:
    moved: dict[str, int] = {}
    why = f"Moved from {duplicate} (#{duplicate.pk}): merged into {survivor} (#{survivor.pk})"
    relations = customer_relations()
    collisions = _collisions(relations, survivor, duplicate, actor=actor)
    for index, relation in enumerate(relations):
        if index in collisions:
            registered, clash = collisions[index]
            registered.rule(clash, survivor=survivor, duplicate=duplicate, actor=actor)
        rows = relation.rows_of(duplicate.pk)
        if relation.model is Customer and relation.field == "parent":
            rows = rows.exclude(pk=survivor.pk)
        count = _move(relation, rows, survivor, actor=actor, reason=why[:100])
        if count:
            moved[relation.label] = moved.get(relation.label, 0) + count
    for m2m in Customer._meta.many_to_many:  # the customer's own (e.g. tags): united
        mine = list(getattr(survivor, m2m.name).all())
        new = [t for t in getattr(duplicate, m2m.name).all() if t not in mine]
        if not new:
            continue
        if m2m.name == "tags" and hasattr(survivor, "chosen_tags"):
            survivor.chosen_tags = mine + new  # saved with the survivor, with a history row
        else:
            getattr(survivor, m2m.name).add(*new)
        moved[str(m2m.verbose_name)] = len(new)
    return moved


def _move(relation: Relation, rows, survivor: Customer, *, actor, reason: str) -> int:
    """Point ``rows`` at the survivor: with a history row each where the model keeps one."""
    target = {relation.field: survivor.pk}
    if relation.content_type_field or relation.many_to_many:
        return rows.update(**target)
    if not getattr(relation.model._meta, "simple_history_manager_attribute", None):
        return rows.update(**target)
    objects = list(rows)
    attname = relation.model._meta.get_field(relation.field).attname
    for obj in objects:
        setattr(obj, attname, survivor.pk)
    if objects:
        bulk_update_with_history(
            objects,
            relation.model,
            [relation.field],
            batch_size=500,
            default_user=actor,
            default_change_reason=reason,
        )
    return len(objects)


# Rows of this app that may exist once per customer: the survivor's stand.
register_merge_rule(
    "customers.StaffCustomerAssignment",
    keep_survivors,
    "staff assigned to both keep one assignment",
)
register_merge_rule(
    "customers.Team_customers", keep_survivors, "teams holding both keep the survivor"
)


def merged_survivor(user, pk) -> Customer | None:
    """The customer ``pk`` was merged into, if ``user`` may see it (for the duplicate's old
    page and API URL); None otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    survivor_id = (
        Customer.objects.filter(pk=pk, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )
    if survivor_id is None:
        return None
    return Customer.objects.visible_to(user).filter(pk=survivor_id).first()
