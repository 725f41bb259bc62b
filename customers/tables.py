import django_tables2 as tables

from .models import Customer


class CustomerTable(tables.Table):
    name = tables.TemplateColumn(
        template_name="customers/columns/name.html",
        verbose_name="Customer Name",
        order_by=("name", "id"),
    )
    industry = tables.Column(default="—")
    business_type = tables.Column(verbose_name="Business Type")
    website = tables.TemplateColumn(template_name="customers/columns/website.html", default="—")
    status = tables.TemplateColumn(template_name="customers/columns/status.html")
    actions = tables.TemplateColumn(
        template_name="customers/columns/actions.html",
        verbose_name="Actions",
        orderable=False,
        exclude_from_export=True,
        attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}},
    )

    class Meta:
        model = Customer
        fields = ("name", "industry", "business_type", "website", "status")
        sequence = ("name", "industry", "business_type", "website", "status", "actions")
        order_by = ("name",)
        # Record links open whole pages; only sorting and paging stay inside #results.
        attrs = {"class": "table table-hover align-middle mb-0", "tbody": {"hx-boost": "false"}}
        empty_text = "No customers match."

    def value_name(self, record):
        return record.name

    def value_website(self, record):
        return record.website

    def value_status(self, record):
        return record.get_status_display()
