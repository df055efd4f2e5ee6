"""Filters every page template has without ``{% load %}`` (TEMPLATES'
``builtins`` in backend/settings.py): the domain's words in the page's language."""

from __future__ import annotations

from django import template

from backend.pages import labels

register = template.Library()


@register.filter
def revision_label(label: str | None) -> str:
    """``{{ revision.label|revision_label }}``: "Zero draft" / "Proyecto cero"."""
    return labels.revision_label(label) if label else ""
