"""The user's notification list (core.notifications): the page, opening one (marks it read and
follows its link), marking all read, and the top bar's bell (loaded after the page, so no
page pays a query for it)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.views.generic import TemplateView, View

from . import notifications
from .mixins import BreadcrumbsMixin, ConsoleAccessMixin
from .redirects import local_path

PER_PAGE = 25


class NotificationListView(ConsoleAccessMixin, BreadcrumbsMixin, TemplateView):
    template_name = "core/notifications.html"
    breadcrumbs = [("Notifications", None)]

    def get_context_data(self, **kwargs):
        mine = notifications.Notification.objects.filter(recipient=self.request.user)
        page = Paginator(mine, PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page,
            notifications=page.object_list,
            has_unread=any(item.is_unread for item in page.object_list)
            or mine.filter(read_at__isnull=True).exists(),
            **kwargs,
        )


class NotificationOpenView(ConsoleAccessMixin, View):
    """Mark the notification read and go where it points (a path of this site only)."""

    def get(self, request, pk: int):
        notification = notifications.mark_read(request.user, pk)
        if notification is None:
            raise Http404("No such notification.")
        return HttpResponseRedirect(local_path(request, notification.url, "/notifications/"))


class NotificationsReadView(ConsoleAccessMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        notifications.mark_all_read(request.user)
        return redirect("notifications:list")


class NotificationBellView(ConsoleAccessMixin, TemplateView):
    template_name = "core/_notification_bell.html"

    def get_context_data(self, **kwargs):
        count = notifications.unread_count(self.request.user)
        return super().get_context_data(
            unread=count,
            unread_label=f"{notifications.BADGE_MAX}+"
            if count > notifications.BADGE_MAX
            else count,
            **kwargs,
        )
