from django.core.mail import EmailMessage

from core.tasks import tenant_task


@tenant_task(queue="emails")
def send_email(*, subject: str, body: str, to: list[str]) -> None:
    """Emails leave through the queue: a slow or failing mail server never slows a page,
    and a failed send is retried with backoff."""
    EmailMessage(subject=subject, body=body, to=to).send()
