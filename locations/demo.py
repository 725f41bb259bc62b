"""Demo locations: every demo customer gets one to four sites."""

from __future__ import annotations

import random

from faker import Faker

from customers.models import Customer

from .models import Location, LocationStatus, LocationType

TYPE_WEIGHTS = [
    (LocationType.HEADQUARTERS, 0),
    (LocationType.OFFICE, 40),
    (LocationType.WAREHOUSE, 15),
    (LocationType.DATA_CENTER, 12),
    (LocationType.RETAIL, 15),
    (LocationType.SITE, 13),
    (LocationType.OTHER, 5),
]
STATUS_WEIGHTS = [
    (LocationStatus.ACTIVE, 75),
    (LocationStatus.PLANNED, 10),
    (LocationStatus.INACTIVE, 8),
    (LocationStatus.CLOSED, 7),
]


def build_locations(
    rng: random.Random, fake: Faker, customer: Customer, count: int
) -> list[Location]:
    locations = [
        Location(
            customer=customer,
            name=f"{customer.name} HQ",
            location_type=LocationType.HEADQUARTERS,
            status=LocationStatus.ACTIVE,
            address_line1=customer.address_line1,
            city=customer.city,
            postal_code=customer.postal_code,
            state=customer.state,
            country=customer.country,
        )
    ]
    for _ in range(count - 1):
        kind = rng.choices([t for t, _ in TYPE_WEIGHTS], [w for _, w in TYPE_WEIGHTS])[0]
        city = fake.city()
        locations.append(
            Location(
                customer=customer,
                name=f"{city} {LocationType(kind).label.lower()}",
                location_type=kind,
                status=rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[
                    0
                ],
                address_line1=fake.street_address(),
                city=city,
                postal_code=fake.postcode(),
                country=customer.country or "US",
            )
        )
    for location in locations:
        location.refresh_search_fields()
    return locations
