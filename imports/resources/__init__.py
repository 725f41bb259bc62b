"""The kinds of import: customers, locations, assets and usage (their columns, how a row finds
its record, what it may refer to), and how a file's column names map to them (``headers``)."""

from __future__ import annotations

from ..engine import ImportResource
from ..usage import UsageResource
from .assets import AssetResource
from .contacts import ContactResource
from .customers import CustomerResource
from .headers import HeaderMap, map_headers
from .locations import LocationResource

RESOURCES: dict[str, type[ImportResource]] = {
    "customers": CustomerResource,
    "locations": LocationResource,
    "assets": AssetResource,
    "usage": UsageResource,
    "contacts": ContactResource,
}

__all__ = ["RESOURCES", "HeaderMap", "map_headers"]
