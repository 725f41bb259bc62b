"""Personal data held by webhooks (see core/privacy.py): delivery payloads carry customers'
contacts as they were sent, and receivers' answers may echo them."""

from core.privacy import register

from .models import WebhookDelivery, WebhookEndpoint

register(WebhookDelivery, text=("payload", "response_body", "error"))
register(WebhookEndpoint, text=("description",), secret=("secret",))
