"""Settings pages where admins define custom fields and tags: list, add, edit, reorder,
remove. Staff may look; changes need the manage capability (the definitions' queryset says
so). Every change goes through fields.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from core.forms import add_service_errors
from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin
from core.policies import Capability, user_can
from core.querysets import access
from core.scope import scope_for

from . import services
from .forms import CustomFieldForm, TagForm
from .models import TAG_COLOURS, CustomField, ObjectKind, Tag

FIELDS_CRUMB = ("Custom fields", "fields:field_list")
TAGS_CRUMB = ("Tags", "fields:tag_list")


def _crumb(crumb):
    return (crumb[0], reverse(crumb[1]))


class FieldListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "fields/field_list.html"
    nav_section = "settings"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Custom fields", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        definitions = list(CustomField.objects.restrict(scope_for(self.request.user)))
        context["groups"] = [
            (value, label, [d for d in definitions if d.object_kind == value])
            for value, label in ObjectKind.choices
        ]
        context["can_manage"] = user_can(self.request.user, Capability.MANAGE_RECORDS)
        return context


class ManageMixin(ConsoleAccessMixin, BreadcrumbsMixin):
    required_capability = Capability.MANAGE_RECORDS
    nav_section = "settings"


class FieldCreateView(ManageMixin, FormView):
    template_name = "fields/field_form.html"
    form_class = CustomFieldForm

    def get_breadcrumbs(self):
        return [_crumb(FIELDS_CRUMB), ("Add a field", None)]

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        return {"object_kind": kind} if kind in ObjectKind.values else {}

    def form_valid(self, form):
        try:
            field = services.custom_field_create(actor=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Added the field {field}.")
        return redirect("fields:field_list")


class FieldUpdateView(ManageMixin, FormView):
    template_name = "fields/field_form.html"
    form_class = CustomFieldForm

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.object = access(CustomField, scope_for(request.user), kwargs["pk"], "change")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_breadcrumbs(self):
        return [_crumb(FIELDS_CRUMB), (f"Edit {self.object}", None)]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in services.FIELD_EDITABLE}
        try:
            field = services.custom_field_update(
                field_id=self.object.pk, data=data, actor=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {field}.")
        return redirect("fields:field_list")


class FieldMoveView(ManageMixin, TemplateView):
    """POST: move a field up or down in its records' forms."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        field = access(CustomField, scope_for(request.user), kwargs["pk"], "change")
        services.custom_field_move(
            field_id=field.pk, up=request.POST.get("direction") != "down", actor=request.user
        )
        return redirect("fields:field_list")


class FieldDeleteView(ManageMixin, TemplateView):
    """GET: what removing the field means; POST: remove it (values stay in history)."""

    template_name = "fields/field_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.object = access(CustomField, scope_for(request.user), kwargs["pk"], "change")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [_crumb(FIELDS_CRUMB), (f"Remove {self.object}", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        model = services.model_of(self.object.object_kind)
        context["object"] = self.object
        context["holders"] = model._base_manager.filter(
            custom_field_data__has_key=self.object.key
        ).count()
        return context

    def post(self, request, *args, **kwargs):
        label = str(self.object)
        count = services.custom_field_delete(field_id=self.object.pk, actor=request.user)
        messages.success(
            request,
            f"Removed the field {label}; {count} records had a value, kept in their history.",
        )
        return redirect("fields:field_list")


class TagListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    """The tenant's tags; admins add, rename, recolour and remove them."""

    template_name = "fields/tag_list.html"
    nav_section = "settings"

    def get_breadcrumbs(self):
        return [("Settings", reverse("core:settings")), ("Tags", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            tags=Tag.objects.restrict(scope_for(self.request.user)).annotate(
                customer_count=Count("customers", distinct=True)
            ),
            can_manage=user_can(self.request.user, Capability.MANAGE_RECORDS),
            form=kwargs.get("form") or TagForm(),
            colours=TAG_COLOURS,
        )
        return context

    def post(self, request, *args, **kwargs):
        if not user_can(request.user, Capability.MANAGE_RECORDS):
            self.raise_exception = True
            return self.handle_no_permission()
        form = TagForm(request.POST)
        if form.is_valid():
            try:
                tag = services.tag_create(
                    name=form.cleaned_data["name"],
                    colour=form.cleaned_data["colour"],
                    actor=request.user,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Added the tag {tag}.")
                return redirect("fields:tag_list")
        return self.render_to_response(self.get_context_data(form=form))


class TagUpdateView(ManageMixin, FormView):
    template_name = "fields/tag_form.html"
    form_class = TagForm

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.object = access(Tag, scope_for(request.user), kwargs["pk"], "change")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_breadcrumbs(self):
        return [_crumb(TAGS_CRUMB), (f"Edit {self.object}", None)]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        try:
            tag = services.tag_update(
                tag_id=self.object.pk,
                data={name: form.cleaned_data[name] for name in services.TAG_EDITABLE},
                actor=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Saved {tag}.")
        return redirect("fields:tag_list")


class TagDeleteView(ManageMixin, TemplateView):
    """GET: what removing the tag means; POST: remove it from every record and delete it."""

    template_name = "fields/tag_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if user_can(request.user, self.required_capability):
            self.object = access(Tag, scope_for(request.user), kwargs["pk"], "change")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        return [_crumb(TAGS_CRUMB), (f"Remove {self.object}", None)]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def post(self, request, *args, **kwargs):
        name = self.object.name
        count = services.tag_delete(tag_id=self.object.pk, actor=request.user)
        messages.success(request, f"Removed the tag {name} from {count} records.")
        return redirect("fields:tag_list")
