"""core.memo: a fact read once per unit of work (a poll of the support mailbox), per tenant,
and read fresh outside one."""

from __future__ import annotations

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from core.memo import memo_scope, memoized


def counter():
    calls = []

    def compute():
        calls.append(connection.schema_name)
        return len(calls)

    return compute, calls


def test_outside_a_scope_every_read_is_fresh():
    compute, calls = counter()
    assert [memoized("k", compute), memoized("k", compute)] == [1, 2]


def test_inside_a_scope_a_fact_is_read_once_and_forgotten_after():
    compute, calls = counter()
    with memo_scope():
        assert [memoized("k", compute), memoized("k", compute)] == [1, 1]
        assert memoized("other", compute) == 2
        with memo_scope():  # a nested scope shares the outer one
            assert memoized("k", compute) == 1
    assert memoized("k", compute) == 3


@pytest.mark.django_db
def test_a_scope_never_hands_one_tenants_fact_to_another(tenant, other_tenant):
    compute, calls = counter()
    with memo_scope():
        with schema_context(tenant.schema_name):
            first = memoized("k", compute)
        with schema_context(other_tenant.schema_name):
            second = memoized("k", compute)
        with schema_context(tenant.schema_name):
            again = memoized("k", compute)
    assert (first, second, again) == (1, 2, 1)
    assert calls == [tenant.schema_name, other_tenant.schema_name]
