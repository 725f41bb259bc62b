"""Every model of the project's apps (and its history twin) declares its personal data: a
field that holds an email, a phone, an IP address or, by its name, a person's name or
browser is registered as personal (core/privacy.py) or declared not personal with a reason.
A new model or field cannot skip it: this test names the field."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from phonenumber_field.modelfields import PhoneNumberField

from core import privacy

# Every app of this repository (not a package's): a new app is covered without a list to edit.
PROJECT_APPS = {
    config.label
    for config in apps.get_app_configs()
    if Path(config.path).resolve().is_relative_to(Path(settings.BASE_DIR).resolve())
}
PERSONAL_TYPES = (models.EmailField, PhoneNumberField, models.GenericIPAddressField)
PERSONAL_NAMES = re.compile(
    r"(^|_)(first_name|last_name|full_name|contact_name|email|phone|user_agent|ip_address)$"
    r"|_(email|phone|ip)$|^(ip|user_agent)$"
)


def looks_personal(field: models.Field) -> bool:
    return isinstance(field, PERSONAL_TYPES) or bool(PERSONAL_NAMES.search(field.name))


def project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def base_of(model: type[models.Model]) -> type[models.Model]:
    """A history twin is declared by its model (the erasure covers both)."""
    return getattr(model, "instance_type", None) or model


def undeclared(models_: list[type[models.Model]]) -> list[str]:
    missing = []
    for model in models_:
        entry = privacy.entry_for(base_of(model))
        declared = entry.declared() if entry else set()
        for field in model._meta.concrete_fields:
            if looks_personal(field) and field.name not in declared:
                missing.append(f"{model._meta.label}.{field.name}")
    return missing


def test_every_personal_looking_field_is_declared():
    missing = undeclared(project_models())
    assert not missing, (
        "Register these as personal in the app's privacy.py (or declare them not personal, "
        "with the reason): " + ", ".join(missing)
    )


def test_history_twins_are_walked_and_erased_with_their_model():
    twins = [m for m in project_models() if getattr(m, "instance_type", None)]
    assert any(t._meta.label == "customers.HistoricalCustomer" for t in twins)
    for entry in privacy.entries():
        twin = privacy.history_model_of(entry.model)
        if twin is not None and not entry.delete:
            assert twin in entry.tables(), entry.label


def test_the_check_names_an_undeclared_field():
    """The check itself can fail: a model with an email field and no declaration."""

    class Stray(models.Model):
        backup_email = models.EmailField()
        mobile_phone = models.CharField(max_length=30)
        user_agent = models.CharField(max_length=300)
        title = models.CharField(max_length=30)

        class Meta:
            app_label = "privacy"
            managed = False

        def __str__(self) -> str:
            return self.title

    try:
        assert undeclared([Stray]) == [
            "privacy.Stray.backup_email",
            "privacy.Stray.mobile_phone",
            "privacy.Stray.user_agent",
        ]
    finally:
        apps.all_models["privacy"].pop("stray", None)
        apps.clear_cache()


def test_a_declaration_naming_a_missing_field_fails_at_registration():
    from customers.models import Customer

    try:
        privacy.register(Customer, text=("no_such_field",))
    except Exception as error:
        assert "no_such_field" in str(error)
    else:  # pragma: no cover
        raise AssertionError("A typo in a declaration must fail")
    assert "no_such_field" not in privacy.entry_for(Customer).text


def test_not_personal_needs_a_reason():
    from customers.models import Customer

    try:
        privacy.register(Customer, not_personal={"name": "  "})
    except ValueError as error:
        assert "why" in str(error)
    else:  # pragma: no cover
        raise AssertionError("A declaration without a reason must fail")
