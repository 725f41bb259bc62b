"""Routes of allauth, Django's admin sites, the API's schema and root and the catch-alls,
through the rules of spec_third_party.py, for the actors of each rule's area."""

import pytest

from .runner import matrix, run
from .spec_third_party import third_party_cases


@pytest.mark.parametrize(("case", "actor", "target"), list(matrix(third_party_cases())))
def test_third_party_route(case, actor, target, world, credentials):
    run(case, actor, target, world, credentials)
