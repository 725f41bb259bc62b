"""Every console route, with the capability it needs. New routes are added here, and the matrix
in test_matrix.py checks each one for anonymous users, every role and other tenants."""

from collections.abc import Callable
from dataclasses import dataclass, field

from accounts.policies import Capability


@dataclass(frozen=True)
class Route:
    name: str
    capability: Capability
    method: str = "get"
    data: dict = field(default_factory=dict)
    # Builds URL kwargs from a dict of objects created in the tenant under test.
    kwargs: Callable[[dict], dict] | None = None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.name}"


CONSOLE_ROUTES = [
    Route("core:dashboard", Capability.VIEW_CONSOLE),
    Route("core:settings", Capability.VIEW_CONSOLE),
    Route(
        "core:settings",
        Capability.MANAGE_TENANT,
        method="post",
        data={
            "name": "Renamed",
            "currency": "EUR",
            "timezone": "Europe/Paris",
            "soft_delete_grace_days": 14,
        },
    ),
    Route("core:team", Capability.VIEW_CONSOLE),
    Route("core:staff_invite", Capability.MANAGE_TENANT),
    Route(
        "core:staff_invite",
        Capability.MANAGE_TENANT,
        method="post",
        data={
            "first_name": "Ivy",
            "last_name": "Invitee",
            "email": "ivy@alpha.example",
            "role": "viewer",
        },
    ),
    Route("core:staff_update", Capability.MANAGE_TENANT, kwargs=lambda o: {"pk": o["member"].pk}),
    Route(
        "core:staff_resend_welcome",
        Capability.MANAGE_TENANT,
        method="post",
        kwargs=lambda o: {"pk": o["member"].pk},
    ),
    Route("tenant_admin:index", Capability.USE_TENANT_ADMIN),
    Route("account_change_password", Capability.VIEW_CONSOLE),
    Route("account_email", Capability.VIEW_CONSOLE),
    Route("mfa_index", Capability.VIEW_CONSOLE),
]
