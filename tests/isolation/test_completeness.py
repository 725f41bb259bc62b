"""The spec covers every route by construction: the URL resolvers list what the app answers,
and every named route (and every unnamed one) must have cases in a spec table or fall under
exactly one third-party rule; every method a view declares must be exercised."""

from .oracle import ALLOWED, expected
from .resolvers import all_routes
from .runner import matrix
from .spec_api import API_CASES
from .spec_console import CONSOLE_CASES
from .spec_portal import PORTAL_CASES
from .spec_third_party import rules_for, third_party_cases

SPEC_CASES = CONSOLE_CASES + PORTAL_CASES + API_CASES


def _spec_keys() -> set[tuple[str, str]]:
    return {(case.host, case.name) for case in SPEC_CASES}


def test_every_route_has_an_entry_or_a_rule():
    keys = _spec_keys()
    missing = sorted(
        f"{route.host}: {route.name} ({route.pattern})"
        for route in all_routes().values()
        if route.key not in keys and not rules_for(route)
    )
    assert not missing, "Routes without an entry in the isolation spec:\n" + "\n".join(missing)


def test_no_route_is_covered_twice():
    keys = _spec_keys()
    twice = sorted(
        f"{route.host}: {route.name}: " + ", ".join(rule.label for rule in rules_for(route))
        for route in all_routes().values()
        if len(rules_for(route)) + (route.key in keys) > 1
    )
    assert not twice, "Routes under more than one entry or rule:\n" + "\n".join(twice)


def test_every_entry_names_a_route():
    stale = sorted(f"{host}: {name}" for host, name in _spec_keys() - set(all_routes()))
    assert not stale, f"Spec entries for routes that no longer exist: {stale}"


def test_every_declared_method_is_exercised():
    exercised: dict[str, set[str]] = {}
    for case in SPEC_CASES:
        exercised.setdefault(case.name, set()).add(case.method)
    missing = sorted(
        f"{route.name}: {method.upper()}"
        for route in all_routes().values()
        if route.name in exercised and route.methods
        for method in route.methods - exercised[route.name]
    )
    assert not missing, "Methods a view declares that no case sends:\n" + "\n".join(missing)


def test_every_case_builds_exactly_the_routes_kwargs():
    routes = {route.name: route for route in all_routes().values() if route.host == "tenant"}
    wrong = []
    for case in SPEC_CASES:
        params = set(routes[case.name].params) if case.name in routes else set()
        given = set(case.kwargs(_Anything()) if case.kwargs else {})
        if case.name in routes and given != params:
            wrong.append(f"{case.id}: gives {sorted(given)}, the route takes {sorted(params)}")
    assert not wrong, "\n".join(wrong)


def test_every_case_has_a_positive_control():
    """Some actor must be allowed on every case, so a case refused to everyone (a 404 for a
    wrong id, say) cannot pass unnoticed; a refusal by design says why in ``negative``."""
    allowed: dict[str, bool] = {}
    for param in matrix(SPEC_CASES + third_party_cases()):
        case, actor, target = param.values
        if not actor.pending and not case.negative:
            allowed[case.id] = allowed.get(case.id, False) or (
                expected(case, actor, target) == ALLOWED
            )
    assert not [name for name, ok in allowed.items() if not ok]


class _Anything:
    def __getattr__(self, name):
        return self

    pk = 1
