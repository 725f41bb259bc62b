"""Column ``attrs`` shared by the apps' tables (static/css/clientele.css styles them)."""

# A column a phone leaves out (below 768 px), so the columns that matter fit without
# scrolling sideways; the record's own page still shows it.
OPTIONAL = {"th": {"class": "col-optional"}, "td": {"class": "col-optional"}}
