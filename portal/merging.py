"""How merging two customers (customers.services_merge) combines the portal's rows that may
exist once per company. Registered from PortalConfig.ready()."""

from __future__ import annotations

from customers.services_merge import keep_survivors, register_merge_rule


def rename_duplicates_sets(colliding, *, survivor, duplicate, actor) -> None:
    """A permission set named like one of the survivor's keeps its users and permissions
    under a name that says where it came from."""
    for permission_set in colliding:
        permission_set.name = f"{permission_set.name} (from {duplicate})"[:100]
        permission_set._history_user = actor
        permission_set._change_reason = f"Renamed: merged into {survivor} (#{survivor.pk})"
        permission_set.save(update_fields=["name"])


def register() -> None:
    register_merge_rule(
        "portal.CompanyProfile", keep_survivors, "the survivor's company settings are kept"
    )
    register_merge_rule(
        "portal.CompanyDomain", keep_survivors, "an email domain both claim is kept once"
    )
    register_merge_rule(
        "portal.PermissionSet",
        rename_duplicates_sets,
        "a permission set named like one of the survivor's is renamed “… (from <duplicate>)”",
    )
