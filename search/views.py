"""The console's global search: a page of results grouped by kind, and the same results as
the live dropdown under the top bar's search box (htmx asks with HX-Request)."""

from __future__ import annotations

from django.views.generic import TemplateView

from core.mixins import BreadcrumbsMixin, ConsoleAccessMixin

from .providers import MIN_LENGTH, clean_term, search_everything


class GlobalSearchView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "search/results.html"
    breadcrumbs = [("Search", None)]

    def get_template_names(self):
        if self.request.headers.get("HX-Request") == "true":
            return ["search/_results.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        term = clean_term(self.request.GET.get("q"))
        context.update(
            term=term,
            too_short=0 < len(term) < MIN_LENGTH,
            min_length=MIN_LENGTH,
            groups=search_everything(self.request.user, term),
        )
        return context
