"""Personal data held by locations (see core/privacy.py): free text about a customer's site,
which may name the people there; a purged customer's site history loses it."""

from core.privacy import register

from .models import Location

register(
    Location,
    customer="customer_id",
    text=("name",),
    derived=("search_text",),
    record=(
        "notes",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "custom_field_data",
    ),
)
