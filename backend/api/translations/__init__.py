"""The other language of a declaration (issue 15): translation status, updates, translators."""
