"""Notes are Markdown rendered once, through a sanitizer: what an attacker types never runs."""

from __future__ import annotations

import pytest

from activity import services
from activity.markdown import render
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert('x')</script>hello",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<p onclick="alert(1)" style="color:red">styled</p>',
        "<iframe src='https://evil.example'></iframe>",
        '<svg onload="alert(1)"></svg>',
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    ],
)
def test_scripts_event_handlers_and_javascript_urls_are_stripped(in_tenant, typed):
    html = render(typed).html.lower()
    for forbidden in ("<script", "onerror=", "onclick=", "onload=", 'href="javascript', "<iframe",
                      "style=", 'href="data', "<svg", "<img"):  # fmt: skip
        assert forbidden not in html


def test_markdown_renders_formatting_and_safe_links(in_tenant):
    html = render(
        "**Renewal** call, see [the contract](https://example.com/c)\n\n- one\n- two"
    ).html
    assert "<strong>Renewal</strong>" in html
    assert 'href="https://example.com/c"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html


def test_mentions_resolve_to_active_staff_only(in_tenant):
    ana = UserFactory(role="staff", email="ana@alpha.example", first_name="Ana", last_name="Lima")
    UserFactory(role="", email="carl@alpha.example")  # a customer user: not mentionable
    UserFactory(role="staff", email="gone@alpha.example", is_active=False)
    rendered = render("Ping @ana and @carl and @gone, mail ana@alpha.example; `@ana` in code")
    assert rendered.mentions == [ana]
    assert '<span class="mention" title="ana@alpha.example">@Ana Lima</span>' in rendered.html
    assert "@carl" in rendered.html and "@gone" in rendered.html
    assert "<code>@ana</code>" in rendered.html  # code stays as typed


def test_a_full_email_mention_and_an_ambiguous_short_one(in_tenant):
    one = UserFactory(role="staff", email="jo@alpha.example")
    UserFactory(role="staff", email="jo@other.example")
    rendered = render("@jo is ambiguous, @jo@alpha.example is not.")
    assert rendered.mentions == [one]


def test_a_note_with_a_script_is_stored_sanitized(staff, customer):
    note = services.note_create(
        actor=staff,
        record_type="customer",
        record_id=customer.pk,
        body='Hello <script>document.cookie</script><img src=x onerror="steal()">',
    )
    note.refresh_from_db()
    assert "<script" not in note.body_html and "onerror" not in note.body_html
    assert "document.cookie" not in note.body_html
    assert note.body.startswith("Hello <script>")  # what was typed is kept as typed
