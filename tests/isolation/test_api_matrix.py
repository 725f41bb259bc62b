"""Every API route and method, for every actor (tokens as credentials; 401 for nobody)."""

import pytest

from .runner import matrix, run
from .spec_api import API_CASES


@pytest.mark.parametrize(("case", "actor", "target"), list(matrix(API_CASES)))
def test_endpoint(case, actor, target, world, credentials):
    run(case, actor, target, world, credentials)
