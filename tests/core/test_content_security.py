"""The content security policy forbids inline script, so no template may carry any: page
behaviour lives in static/js and is wired by data attributes."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)
BROWSER_TEMPLATES = [
    path
    for path in sorted(TEMPLATES.rglob("*.html"))
    if not path.name.endswith("_pdf.html")  # rendered by WeasyPrint, never by a browser
]


@pytest.mark.parametrize("path", BROWSER_TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_templates_have_no_inline_script(path):
    text = path.read_text()
    assert not INLINE_HANDLER.search(text), "inline event handler"
    assert not INLINE_SCRIPT.search(text), "inline <script>"
    assert not JAVASCRIPT_URL.search(text), "javascript: URL"


def test_pages_send_the_policy(public_client, client_as):
    for response in (public_client.get("/"), client_as("viewer").get("/customers/")):
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in f"{policy};" and "unsafe-eval" not in policy
