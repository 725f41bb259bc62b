"""Every console and portal page, for every actor: the spec tables (spec_console.py,
spec_portal.py) and the actors (actors.py) make the cases; the oracle says what each must get."""

import pytest

from .runner import matrix, run
from .spec_console import CONSOLE_CASES
from .spec_portal import PORTAL_CASES


@pytest.mark.parametrize(("case", "actor", "target"), list(matrix(CONSOLE_CASES + PORTAL_CASES)))
def test_page(case, actor, target, world, credentials):
    run(case, actor, target, world, credentials)
