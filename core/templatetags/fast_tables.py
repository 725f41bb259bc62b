"""``{% table_rows table %}``: a table page's rows rendered by ``core.tables.render_rows``."""

from django import template

from core.tables import render_rows

register = template.Library()


@register.simple_tag
def table_rows(table):
    """The rows as HTML, or ``None`` when the template's own loop must render them."""
    return render_rows(table)
