"""Personal data on contracts (see core/privacy.py): the account owner, and the free text of
special agreements and a termination's reason, which may mention anyone."""

from core.privacy import Person, register

from .models import Contract

register(
    Contract,
    customer="customer_id",
    people=[Person("account owner", ("owner",), user="owner_id")],
    text=("termination_reason",),
    record=("notes",),
)
