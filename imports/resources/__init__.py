"""The kinds of import: customers, locations, assets and usage (their columns, how a row finds
its record, what it may refer to), and how a file's column names map to them (``headers``)."""

from __future__ import annotations

from ..custom_columns import ResourcesWithCustomColumns
from ..engine import ImportResource
from ..usage import UsageResource
from .assets import AssetResource
from .contacts import ContactResource
from .contracts import ContractResource
from .customers import CustomerResource
from .headers import HeaderMap, map_headers
from .locations import LocationResource

# Customers, contacts, locations and assets come with the tenant's custom fields and tags
# as columns (imports.custom_columns): RESOURCES[kind] is built from the current definitions.
RESOURCES: dict[str, type[ImportResource]] = ResourcesWithCustomColumns(
    {
        "customers": CustomerResource,
        "locations": LocationResource,
        "assets": AssetResource,
        "usage": UsageResource,
        "contacts": ContactResource,
        "contracts": ContractResource,
    },
    {"customers": "customer", "locations": "location", "assets": "asset", "contacts": "contact"},
)

__all__ = ["RESOURCES", "HeaderMap", "map_headers"]
