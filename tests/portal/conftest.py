import pytest
from django.db import connection
from django.test import Client

from tests.factories import CustomerFactory, MembershipFactory


@pytest.fixture
def company(in_tenant):
    return CustomerFactory(name="Acme", website="https://acme.example")


@pytest.fixture
def portal_client(tenant):
    """A client on the alpha host signed in as a new customer user of ``company``."""

    def sign_in(company, role: str = "admin", **fields) -> Client:
        connection.set_tenant(tenant)
        membership = MembershipFactory(customer=company, role=role, **fields)
        client = Client(HTTP_HOST="alpha.localhost")
        client.force_login(membership.user)
        client.user, client.membership = membership.user, membership
        return client

    return sign_in
