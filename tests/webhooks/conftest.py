import pytest

from .receivers import Receiver


@pytest.fixture
def loopback_allowed(settings):
    """The platform operator allows the loopback receivers these tests start (by default,
    outbound requests to 127.0.0.1 are refused)."""
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def start_receiver():
    """``start_receiver(status=200, **options)``: a real receiver on loopback, closed after."""
    made = []

    def start(status: int = 200, **options) -> Receiver:
        made.append(Receiver(status, **options))
        return made[-1]

    yield start
    for receiver in made:
        receiver.close()


@pytest.fixture
def receiver(start_receiver, loopback_allowed):
    """A loopback receiver the operator allowed (what the delivery tests need)."""
    return start_receiver
