import pytest

from accounts.models import StaffRole
from fields.models import CustomField, Tag
from tests.imports.conftest import confirm, upload  # noqa: F401 - the imports' fixtures


@pytest.fixture
def admin(client_as):
    return client_as(StaffRole.ADMIN)


@pytest.fixture
def define(in_tenant):
    """Define a custom field (as the settings page would): ``define("customer", "tier",
    "choice", choices=[...])``."""

    def make(kind: str, key: str, field_type: str, **extra) -> CustomField:
        extra.setdefault("label", key.replace("_", " ").capitalize())
        return CustomField.objects.create(object_kind=kind, key=key, field_type=field_type, **extra)

    return make


@pytest.fixture
def make_tag(in_tenant):
    def make(name: str, colour: str = "blue") -> Tag:
        return Tag.objects.create(name=name, slug=name.lower().replace(" ", "-"), colour=colour)

    return make
