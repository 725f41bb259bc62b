"""Personal data held by the service desk (see core/privacy.py). A ticket names its requester
(a user, or an address), who opened it and who works it; a message its author (a user, or
the address a reply came from); a file who uploaded it; an email its sender. Erasing that person clears the links
and addresses; the tickets stay. Subjects, descriptions, messages and file names are free
text that may mention anyone; the rendered HTML is derived from them."""

from core.privacy import Person, register

from .models import Attachment, InboundEmail, Message, Ticket, TimeEntry

register(
    Ticket,
    customer="customer_id",
    people=[
        Person(
            "requester",
            ("requester", "requester_email"),
            user="requester_id",
            email="requester_email",
        ),
        Person("opener", ("opened_by",), user="opened_by_id"),
        Person("assignee", ("assignee",), user="assignee_id"),
    ],
    text=("subject",),
    record=("description",),
    derived=("description_html",),
    not_personal={"reply_token": "a random token that finds the thread of an emailed reply"},
)
register(
    Message,
    people=[Person("author", ("author", "author_email"), user="author_id", email="author_email")],
    text=("body",),
    derived=("body_html",),
)
register(
    Attachment,
    people=[Person("uploader", ("uploaded_by",), user="uploaded_by_id")],
    text=("original_name",),
    not_personal={"sha256": "a checksum of the file's bytes"},
)
# An email as it arrived is nothing but what its sender wrote: erasing the sender deletes it
# (its stored raw message goes once the erasure commits: tickets.apps).
register(
    InboundEmail,
    people=[
        Person("sender", ("sender", "sender_name"), email="sender", name=("sender_name",)),
        Person("handler", ("handled_by",), user="handled_by_id"),
    ],
    text=("subject", "body", "note"),
    not_personal={
        "mail_id": "the Message-ID header, an identifier the sender's mail server made up",
        "raw": "the key of the stored message, removed with the row",
    },
    delete=True,
)
# Who logged time on a ticket; the note is free text.
register(
    TimeEntry,
    people=[Person("staff member", ("user",), user="user_id")],
    text=("note",),
)
