"""Twenty API clients PATCH one customer at once with the same If-Match: one wins, every other
gets the API's promised 412 (never a 500), and no update is lost or half-applied."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from accounts.models import StaffRole
from accounts.tokens import api_token_create
from customers.models import Customer
from tenants.models import Tenant
from tests.factories import CustomerFactory, UserFactory

WRITERS = 20


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Real commits: each writer thread has a database connection of its own."""
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        connection.set_tenant(tenant)
        user = UserFactory(role=StaffRole.STAFF, email="racer@alpha.example")
        _, secret = api_token_create(user=user, name="race")
        customer = CustomerFactory(name="Race Original")
        yield {"tenant": tenant, "secret": secret, "customer": customer}
        connection.set_tenant(tenant)
        Customer.history.filter(id=customer.pk).delete()
        Customer.objects.filter(pk=customer.pk).delete()
        user.api_tokens.all().delete() if hasattr(user, "api_tokens") else None
        user.delete()
        connection.set_schema_to_public()


def test_twenty_concurrent_patches_with_one_etag_give_one_200_and_412s(committed):
    url = f"/api/v1/customers/{committed['customer'].pk}/"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {committed['secret']}"}
    etag = Client(HTTP_HOST="alpha.localhost", **auth).get(url)["ETag"]
    start = threading.Barrier(WRITERS)
    statuses, errors = [], []

    def patch(index: int) -> None:
        try:
            client = Client(HTTP_HOST="alpha.localhost", **auth)
            start.wait()
            response = client.patch(
                url,
                data=json.dumps({"industry": f"Racer {index}"}),
                content_type="application/json",
                HTTP_IF_MATCH=etag,
            )
            statuses.append(response.status_code)
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=patch, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1), statuses
    connection.set_tenant(committed["tenant"])
    customer = Customer.objects.get(pk=committed["customer"].pk)
    assert customer.industry.startswith("Racer ")
    assert customer.history.count() == 2  # created, then the one winning change
