# django-filter ships no type hints, so its base classes are Any to mypy.
# mypy: disable-error-code="misc"
"""Query-string filters for list endpoints (django-filter)."""

from __future__ import annotations

import django_filters

from drafting.models import Declaration, Delegation, Event, Proposal, Revision


class DelegationFilter(django_filters.FilterSet):
    class Meta:
        model = Delegation
        fields = ["kind", "code"]


class DeclarationFilter(django_filters.FilterSet):
    class Meta:
        model = Declaration
        fields = ["meeting", "status", "kind"]


class RevisionFilter(django_filters.FilterSet):
    class Meta:
        model = Revision
        fields = ["declaration"]


class ProposalFilter(django_filters.FilterSet):
    delegation = django_filters.CharFilter(field_name="delegation__code", help_text="Delegation code, e.g. MEX.")

    class Meta:
        model = Proposal
        fields = ["declaration", "paragraph", "revision", "status", "kind", "delegation", "incorporated_in"]


class EventFilter(django_filters.FilterSet):
    delegation = django_filters.CharFilter(field_name="delegation__code")
    verb = django_filters.CharFilter(field_name="verb", lookup_expr="startswith")

    class Meta:
        model = Event
        fields = ["meeting", "declaration", "paragraph", "proposal", "delegation", "verb"]
