"""Django format modules (FORMAT_MODULE_PATH) for the locales of core.formats.LOCALES: each
locale activates an English language variant ("en-de" for de-DE), so words stay English and
numbers and dates follow the locale. Dates are unambiguous: the month by name in en-US
("Dec 1, 2026"), day-first with dots or slashes where readers always read them day-first."""
