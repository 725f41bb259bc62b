"""Every route the app answers, read from its URL resolvers: the tenant hosts' URLconf
(console, portal, allauth, /admin/ and the API, whose DRF router is included at /api/) and the
public host's. Only URL names and patterns are used, never view module paths, so views can move
between modules without this file noticing."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.urls import get_resolver
from django.urls.resolvers import RegexPattern, URLPattern, URLResolver
from django.views.generic.edit import ProcessFormView

TENANT, PUBLIC = "tenant", "public"
URLCONFS = {TENANT: settings.ROOT_URLCONF, PUBLIC: settings.PUBLIC_SCHEMA_URLCONF}
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class RouteInfo:
    host: str  # TENANT or PUBLIC
    name: str  # "customers:customer_update"; an unnamed pattern is "(unnamed) <its pattern>"
    pattern: str  # "customers/<int:pk>/edit/"
    params: tuple[str, ...]  # the URL kwargs (converters and named regex groups), sorted
    converters: tuple[tuple[str, str], ...]  # (kwarg, converter), "regex" for regex groups
    # HTTP methods the view declares (class-based views and DRF routes); None when a
    # function view does not say.
    methods: frozenset[str] | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.host, self.name)

    @property
    def named(self) -> bool:
        return not self.name.startswith("(unnamed)")


def _methods_of(callback) -> frozenset[str] | None:
    actions = getattr(callback, "actions", None)  # a DRF router route: {"get": "list", ...}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is None:
        return None
    initkwargs = getattr(callback, "view_initkwargs", None) or getattr(callback, "initkwargs", {})
    allowed = initkwargs.get("http_method_names", view_class.http_method_names)
    if actions:
        declared = set(actions)
    else:
        declared = {m for m in HTTP_METHODS if hasattr(view_class, m)}
        if getattr(view_class, "put", None) is ProcessFormView.put:
            declared.discard("put")  # Django's form views answer PUT with post()
    return frozenset(m for m in declared if m in allowed and m in HTTP_METHODS)


def _params(pattern) -> dict[str, str]:
    if isinstance(pattern, RegexPattern):
        return dict.fromkeys(pattern.regex.groupindex, "regex")
    return {name: type(conv).__name__ for name, conv in pattern.converters.items()}


def _walk(patterns, host: str, prefix: str = "", namespace: str = "", params=None):
    params = params or {}
    for entry in patterns:
        here = {**params, **_params(entry.pattern)}
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, host, route, inner, here)
        elif isinstance(entry, URLPattern):
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = f"(unnamed) {route}"
            yield RouteInfo(
                host=host,
                name=name,
                pattern=route,
                params=tuple(sorted(here)),
                converters=tuple(sorted(here.items())),
                methods=_methods_of(entry.callback),
            )


@cache
def all_routes() -> dict[tuple[str, str], RouteInfo]:
    """(host, name) → route. DRF's format-suffix twins (``customers.json``) share their base
    route's name and view, so they fold into it (the spec's cases reverse without a format)."""
    routes: dict[tuple[str, str], RouteInfo] = {}
    for host, urlconf in URLCONFS.items():
        for route in _walk(get_resolver(urlconf).url_patterns, host):
            if "format" in route.params and route.key in routes:
                continue
            routes.setdefault(route.key, route)
    return routes
