"""What a page offers a browser to send, read from its HTML: every ``<form>`` (its method,
action, encoding and fields with the values the page put in them) and every query parameter
its links, htmx attributes and GET forms use.

Reading the rendered HTML, not the view's form class, because the HTML is what a person (or
an attacker) actually gets: it covers function views, pages with several forms, formsets and
wizards' management fields, widgets that render as several inputs (key/value rows, an
autocomplete's hidden id) and forms whose action is another route (a payment form on an
invoice's page); and its initial values are a valid submission to start from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

TEXT_TYPES = {"text", "search", "email", "url", "tel", "password", ""}
IGNORED_TYPES = {"submit", "button", "reset", "image"}


@dataclass
class FormField:
    name: str
    kind: str  # an input type, "textarea", "select" or "select-multiple"
    values: list[str] = field(default_factory=list)  # what the page submits as it stands
    options: list[str] = field(default_factory=list)

    @property
    def is_text(self) -> bool:
        return self.kind in TEXT_TYPES or self.kind == "textarea"


@dataclass
class HtmlForm:
    method: str
    action: str  # an absolute path with its query string
    enctype: str
    fields: dict[str, FormField] = field(default_factory=dict)
    # A named submit button's (name, value): a different submission per button.
    submit: tuple[str, str] | None = None

    def baseline(self) -> list[tuple[str, str]]:
        """The submission the page makes as it stands (its initial values)."""
        pairs = [(f.name, value) for f in self.fields.values() for value in f.values]
        if self.submit:
            pairs.append(self.submit)
        return pairs

    @property
    def signature(self) -> tuple:
        return (urlsplit(self.action).path, tuple(sorted(self.fields)), self.submit)


class _PageParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[HtmlForm] = []
        self.buttons: list[list[tuple[str, str]]] = []  # per form: named submit buttons
        self.query_params: dict[str, set[str]] = {}  # path → parameter names
        self._form: HtmlForm | None = None
        self._textarea: FormField | None = None
        self._select: FormField | None = None
        self._option: tuple[str | None, bool] | None = None
        self._option_text = ""
        self._select_selected: list[str] = []

    # Query parameters of links, htmx requests and GET forms.
    def _note_url(self, url: str | None, extra: str | None = None) -> None:
        if not url or url.startswith(("#", "javascript:", "mailto:", "data:")):
            return
        absolute = urljoin(self.page_url, url)
        parts = urlsplit(absolute)
        if parts.netloc and not parts.netloc.endswith("localhost"):
            return
        names = self.query_params.setdefault(parts.path, set())
        names.update(key for key, _ in parse_qsl(parts.query, keep_blank_values=True))
        if extra:
            names.add(extra)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            self._note_url(a.get("href"))
        for attr in ("hx-get", "data-hx-get"):
            if a.get(attr) is not None:
                # An input that asks with hx-get sends its own value under its name.
                self._note_url(a[attr], a.get("name") if tag in ("input", "select") else None)
        if tag == "form":
            method = (a.get("method") or "get").lower()
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            parts = urlsplit(action)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            self._form = HtmlForm(method, path, (a.get("enctype") or "").lower())
            self.buttons.append([])
            return
        form = self._form
        if form is None:
            return
        name = a.get("name")
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in IGNORED_TYPES:
                if name and kind == "submit":
                    self.buttons[-1].append((name, a.get("value") or ""))
                return
            if not name:
                return
            entry = form.fields.setdefault(name, FormField(name, kind))
            if kind in ("checkbox", "radio"):
                value = a.get("value") or "on"
                entry.options.append(value)
                if "checked" in a:
                    entry.values.append(value)
            elif kind == "file":
                entry.values = []
            else:
                entry.values.append(a.get("value") or "")
        elif tag == "button" and name and (a.get("type") or "submit") == "submit":
            self.buttons[-1].append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea = form.fields.setdefault(name, FormField(name, "textarea"))
            self._textarea.values.append("")
        elif tag == "select" and name:
            kind = "select-multiple" if "multiple" in a else "select"
            self._select = form.fields.setdefault(name, FormField(name, kind))
            self._select_selected = []
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), "selected" in a)
            self._option_text = ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.values[-1] += data
        if self._option is not None:
            self._option_text += data

    def _close_option(self):
        if self._option is None or self._select is None:
            return
        value, selected = self._option
        value = self._option_text.strip() if value is None else value
        self._select.options.append(value)
        if selected:
            self._select_selected.append(value)
        self._option = None

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._close_option()
        elif tag == "select" and self._select is not None:
            self._close_option()
            select = self._select
            if self._select_selected:
                select.values = self._select_selected
            elif select.kind == "select" and select.options:
                select.values = [select.options[0]]  # a browser submits the first option
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def parse_page(html: str, page_url: str) -> tuple[list[HtmlForm], dict[str, set[str]]]:
    """The page's forms (one per named submit button) and query parameters by path."""
    parser = _PageParser(page_url)
    parser.feed(html)
    parser.close()
    forms: list[HtmlForm] = []
    for form, buttons in zip(parser.forms, parser.buttons, strict=False):
        if form.method == "get":
            parser._note_url(form.action)
            parser.query_params.setdefault(urlsplit(form.action).path, set()).update(form.fields)
            continue
        for button in dict.fromkeys(buttons) or [None]:
            forms.append(
                HtmlForm(form.method, form.action, form.enctype, dict(form.fields), button)
            )
    return forms, parser.query_params
