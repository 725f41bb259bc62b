from core.tasks import TenantRetryStrategy, tenant_task

from .models import WebhookDelivery
from .services import deliver


@tenant_task(queue="webhooks", retry=TenantRetryStrategy(max_attempts=6, exponential_wait=3))
def deliver_webhook(*, delivery_id: int) -> None:
    """Deliver one webhook; failures are retried with backoff (3, 9, 27 … s) and logged."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or not delivery.endpoint.is_active:
        return
    deliver(delivery)  # raises DeliveryFailed, which the queue retries
