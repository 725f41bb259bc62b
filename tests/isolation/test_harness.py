"""The matrix's own instruments, checked once: the write counter sees a write (and not a
read), and the leak check's words do show up where a record is legitimately listed."""

from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import CustomerFactory

from .actors import HOSTS
from .world import TOKENS, write_counts


def test_the_write_counter_sees_writes_and_ignores_reads(world):
    schema = world.alpha.schema_name
    connection.set_tenant(world.alpha)
    before = write_counts(schema)
    list(world.company("A").__class__.objects.all())
    assert write_counts(schema) == before
    CustomerFactory(name="Counted")
    after = write_counts(schema)
    assert after[f"{schema}.customers_customer"] != before[f"{schema}.customers_customer"]


def test_the_leak_words_appear_where_the_records_are_listed(world, credentials):
    """The owner sees every company: both families' words are on the customer list, so their
    absence elsewhere means something."""
    client = Client(HTTP_HOST=HOSTS["alpha"])
    client.cookies["sessionid"] = credentials["owner"].session
    body = client.get(reverse("customers:customer_list")).content.decode().lower()
    assert all(token in body for token in TOKENS.values())
