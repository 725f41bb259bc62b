"""Personal data held by assets (see core/privacy.py): an asset outlives its owner (a purge
hands it to the tenant), so only mentions of a person in its free text are replaced."""

from core.privacy import register

from .models import Asset

register(Asset, text=("name", "notes", "custom_field_data"), derived=("search_text",))
