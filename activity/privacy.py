"""Personal data held by the activity timeline (see core/privacy.py). An entry names its
author, a task's assignee and who ticked it done: erasing that person clears the links, the
entry stays. Titles, outcomes and the Markdown text are free text that may mention anyone;
the text describes the customer's record (emptied in a purged customer's history), and its
rendered HTML is derived from it."""

from core.privacy import Person, register

from .models import Entry

register(
    Entry,
    customer="customer_id",
    people=[
        Person("author", ("author",), user="author_id"),
        Person("assignee", ("assignee",), user="assignee_id"),
        Person("completer", ("completed_by",), user="completed_by_id"),
    ],
    text=("title", "outcome"),
    record=("body",),
    derived=("body_html",),
)
